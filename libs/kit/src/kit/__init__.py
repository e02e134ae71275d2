"""Shared plumbing for the helpdesk services. It imports no service."""
