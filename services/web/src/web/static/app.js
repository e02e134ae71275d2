// Helpdesk UI: sign in, file a request, see the requests you may see.
// Plain JavaScript with no build step and nothing fetched from elsewhere, so that it runs on
// an old office PC inside a closed network. Optional chaining and `??` are avoided on purpose:
// some ministries still run browsers that predate them.
(function () {
  "use strict";

  var API = "/api/v1";
  var TOKEN_KEY = "helpdesk.token";
  var EXPIRES_KEY = "helpdesk.token_expires_at";
  var CREATOR_ROLES = ["requester", "agent", "group_lead", "admin"];
  var QUEUE_ROLES = ["agent", "group_lead"];
  var PAGE_SIZE = 50;
  var FORM_FIELDS = ["category_id", "title", "description", "priority"];
  var ROLE_LABELS = { group_lead: "group lead" };
  var SLA_LABELS = { on_track: "on track", warning: "at risk", breached: "overdue" };

  var state = freshState();

  function freshState() {
    return {
      token: null,
      me: null,
      categories: [],
      categoryById: {},
      groupNameById: {},
      tickets: [],
      nextCursor: null,
      // One Idempotency-Key per draft: a retry after a lost answer re-sends the same key, so
      // the server answers the ticket it already filed instead of filing a second one.
      draftKey: null,
      submitting: false,
      // Set after a successful filing until the user touches the form again; a second click
      // of a double click that lands after the answer is then ignored, not sent empty.
      justFiled: false,
      // Bumped on every sign-in and sign-out so late answers of an old session are dropped.
      generation: 0,
      expiryTimer: null
    };
  }

  function $(id) {
    return document.getElementById(id);
  }

  // ---- small helpers -------------------------------------------------------------------

  function newUuid() {
    // crypto.randomUUID exists only in secure contexts (https or localhost); an intranet
    // server on plain http gets the same random v4 UUID built from getRandomValues.
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = [];
    for (var i = 0; i < 16; i++) hex.push((b[i] + 0x100).toString(16).slice(1));
    return (
      hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") +
      "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10, 16).join("")
    );
  }

  function hasAny(roles, wanted) {
    for (var i = 0; i < wanted.length; i++) if (roles.indexOf(wanted[i]) >= 0) return true;
    return false;
  }

  function humanize(token) {
    return String(token || "").replace(/_/g, " ");
  }

  var dateFormat = null;
  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    if (!dateFormat) {
      try {
        dateFormat = new Intl.DateTimeFormat(undefined, {
          year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
        });
      } catch (e) {
        dateFormat = { format: function (x) { return x.toLocaleString(); } };
      }
    }
    return dateFormat.format(d);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== null && attrs[k] !== undefined) {
          node.setAttribute(k, attrs[k]);
        }
      }
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function announce(text, kind) {
    var box = $("messages");
    // Clearing first makes screen readers announce a message even when it repeats.
    box.textContent = "";
    box.className = "messages" + (kind ? " " + kind : "");
    if (!text) return;
    window.setTimeout(function () {
      box.textContent = text;
    }, 30);
  }

  function problemText(body, fallback) {
    if (body && typeof body === "object") {
      if (body.detail && body.title) return body.title + ": " + body.detail;
      if (body.detail) return String(body.detail);
      if (body.title) return String(body.title);
    }
    return fallback;
  }

  // ---- API -----------------------------------------------------------------------------

  function ApiError(status, body, message) {
    this.status = status;
    this.body = body;
    this.message = message;
  }

  // Resolves {status, body} for any HTTP answer; rejects with ApiError(0) when the server
  // cannot be reached, and signs the user out when a signed-in call answers 401.
  function api(path, options) {
    options = options || {};
    var headers = { Accept: "application/json, application/problem+json" };
    var extra = options.headers || {};
    for (var h in extra) if (Object.prototype.hasOwnProperty.call(extra, h)) headers[h] = extra[h];
    var init = { method: options.method || "GET", headers: headers, credentials: "same-origin" };
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      init.body = options.form.toString();
    }
    var authed = !options.anonymous;
    if (authed && state.token) headers.Authorization = "Bearer " + state.token;
    var generation = state.generation;
    return fetch(API + path, init).then(
      function (resp) {
        var type = resp.headers.get("Content-Type") || "";
        var parse = type.indexOf("json") >= 0 ? resp.json().catch(function () { return null; }) : Promise.resolve(null);
        return parse.then(function (body) {
          if (generation !== state.generation) {
            throw new ApiError(-1, null, "stale answer of an earlier session");
          }
          if (resp.status === 401 && authed) {
            signOut("Your session has ended. Please sign in again.");
            throw new ApiError(401, body, problemText(body, "Not signed in"));
          }
          return { status: resp.status, body: body, ok: resp.ok };
        });
      },
      function () {
        throw new ApiError(0, null, "The server could not be reached. Check the network and try again.");
      }
    );
  }

  function ignoreStale(err) {
    if (err instanceof ApiError && (err.status === -1 || err.status === 401)) return;
    announce(err && err.message ? err.message : "Something went wrong.", "error");
  }

  // ---- views -----------------------------------------------------------------------------

  function showView(name) {
    $("loading").hidden = true;
    $("login-view").hidden = name !== "login";
    $("app-view").hidden = name !== "app";
    $("session").hidden = name !== "app";
  }

  function showLogin() {
    showView("login");
    $("login-form").reset();
    $("login-error").hidden = true;
    $("login-username").focus();
  }

  // ---- sign in / out -------------------------------------------------------------------

  function storeToken(token, expiresIn) {
    state.token = token;
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
      sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + expiresIn * 1000));
    } catch (e) {
      // Private modes may refuse storage; the session then lasts as long as the page.
    }
    scheduleExpiry(expiresIn * 1000);
  }

  function scheduleExpiry(ms) {
    if (state.expiryTimer) window.clearTimeout(state.expiryTimer);
    if (ms > 0 && ms < 2147483647) {
      state.expiryTimer = window.setTimeout(function () {
        signOut("Your session has expired. Please sign in again.");
      }, ms);
    }
  }

  function clearStoredToken() {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.removeItem(EXPIRES_KEY);
    } catch (e) {
      /* nothing stored */
    }
  }

  function onLoginSubmit(event) {
    event.preventDefault();
    var username = $("login-username").value.trim();
    var password = $("login-password").value;
    var errorBox = $("login-error");
    errorBox.hidden = true;
    if (!username || !password) {
      showLoginError("Enter your username and password.", !username ? "login-username" : "login-password");
      return;
    }
    var button = $("login-submit");
    button.disabled = true;
    var form = new URLSearchParams();
    form.set("username", username);
    form.set("password", password);
    api("/auth/token", { method: "POST", form: form, anonymous: true })
      .then(function (res) {
        if (res.status === 200 && res.body && res.body.access_token) {
          storeToken(res.body.access_token, Number(res.body.expires_in) || 900);
          $("login-password").value = "";
          return enterApp(true);
        }
        if (res.status === 401) {
          showLoginError("Wrong username or password.", "login-password");
        } else {
          showLoginError(problemText(res.body, "Sign-in failed (HTTP " + res.status + ")."), "login-username");
        }
      })
      .catch(function (err) {
        showLoginError(err && err.message ? err.message : "Sign-in failed.", "login-username");
      })
      .then(function () {
        button.disabled = false;
      });
  }

  function showLoginError(text, focusId) {
    var box = $("login-error");
    box.textContent = text;
    box.hidden = false;
    var input = $(focusId);
    if (focusId === "login-password") input.value = "";
    input.focus();
  }

  function signOut(message) {
    clearStoredToken();
    if (state.expiryTimer) window.clearTimeout(state.expiryTimer);
    var generation = state.generation + 1;
    state = freshState();
    state.generation = generation;
    $("ticket-rows").textContent = "";
    $("tickets").removeAttribute("data-loaded");
    $("ticket-form").reset();
    clearFieldErrors();
    $("ticket-form-error").hidden = true;
    showLogin();
    announce(message || "", message ? "info" : "");
  }

  // ---- after sign-in -------------------------------------------------------------------

  function enterApp(fresh) {
    state.generation += 1;
    var generation = state.generation;
    announce(fresh ? "" : "Loading…");
    return Promise.all([
      api("/me"),
      api("/categories"),
      api("/groups").catch(function (err) { return { status: err.status, body: null }; })
    ])
      .then(function (answers) {
        if (generation !== state.generation) return;
        var me = answers[0], cats = answers[1], groups = answers[2];
        if (me.status !== 200) throw new ApiError(me.status, me.body, problemText(me.body, "Could not load your profile."));
        state.me = me.body;
        state.groupNameById = {};
        // Groups known from the profile first; /groups (when the server has it) names the rest.
        (state.me.groups || []).forEach(function (g) { state.groupNameById[g.id] = g.name; });
        if (groups.status === 200 && groups.body && groups.body.items) {
          groups.body.items.forEach(function (g) { state.groupNameById[g.id] = g.name; });
        }
        state.categories = cats.status === 200 && cats.body ? cats.body.items || [] : [];
        state.categoryById = {};
        state.categories.forEach(function (c) { state.categoryById[c.id] = c; });
        renderSession();
        renderCategoryOptions();
        showView("app");
        if (cats.status !== 200) announce(problemText(cats.body, "Could not load the categories."), "error");
        else announce(fresh ? "Signed in as " + state.me.display_name + "." : "");
        if (fresh) $("app-title").focus();
        return loadTickets(false);
      })
      .catch(function (err) {
        if (err instanceof ApiError && (err.status === -1 || err.status === 401)) return;
        showView("login");
        showLoginError(err && err.message ? err.message : "Could not load the application.", "login-username");
      });
  }

  function renderSession() {
    var me = state.me;
    $("user-name").textContent = me.display_name || me.username;
    var roles = $("user-roles");
    roles.textContent = "";
    roles.appendChild(el("span", { class: "visually-hidden" }, ", roles: "));
    (me.roles || []).forEach(function (r) {
      roles.appendChild(el("span", { class: "role", "data-role": r }, ROLE_LABELS[r] || humanize(r)));
      roles.appendChild(document.createTextNode(" "));
    });

    var canFile = hasAny(me.roles || [], CREATOR_ROLES);
    $("new-ticket").hidden = !canFile;
    $("app-view").className = "app" + (canFile ? "" : " single");

    var heading, scope;
    var groupNames = (me.groups || []).map(function (g) { return g.name; });
    if ((me.roles || []).indexOf("admin") >= 0) {
      heading = "All requests";
      scope = "Every request in the helpdesk, newest first.";
    } else if (hasAny(me.roles || [], QUEUE_ROLES) && groupNames.length) {
      heading = "Queue: " + groupNames.join(", ");
      scope = "Requests owned by " + groupNames.join(", ") + ", and the ones you filed yourself; newest first.";
    } else {
      heading = "My requests";
      scope = "The requests you filed, newest first.";
    }
    $("tickets-heading").textContent = heading;
    $("tickets-scope").textContent = scope;
  }

  function renderCategoryOptions() {
    var select = $("ticket-category");
    while (select.options.length > 1) select.remove(1);
    var byGroup = {};
    var order = [];
    state.categories.forEach(function (c) {
      var key = c.group_id || "";
      if (!byGroup[key]) {
        byGroup[key] = [];
        order.push(key);
      }
      byGroup[key].push(c);
    });
    order.sort(function (a, b) { return groupName(a).localeCompare(groupName(b)); });
    order.forEach(function (gid) {
      var group = el("optgroup", { label: groupName(gid) });
      byGroup[gid]
        .slice()
        .sort(function (a, b) { return a.name.localeCompare(b.name); })
        .forEach(function (c) {
          var option = el("option", { value: c.id, "data-key": c.key, title: c.description || null }, c.name);
          group.appendChild(option);
        });
      select.appendChild(group);
    });
  }

  function groupName(groupId) {
    if (!groupId) return "Unrouted";
    return state.groupNameById[groupId] || groupId;
  }

  // ---- tickets list ----------------------------------------------------------------------

  function loadTickets(more) {
    var generation = state.generation;
    var path = "/tickets?limit=" + PAGE_SIZE;
    if (more && state.nextCursor) path += "&cursor=" + encodeURIComponent(state.nextCursor);
    var table = $("ticket-table");
    table.setAttribute("aria-busy", "true");
    return api(path)
      .then(function (res) {
        if (generation !== state.generation) return;
        if (res.status !== 200) {
          announce(problemText(res.body, "Could not load the requests."), "error");
          return;
        }
        var items = res.body.items || [];
        if (!more) state.tickets = [];
        items.forEach(function (t) {
          if (!findTicket(t.id)) state.tickets.push(t);
        });
        state.nextCursor = res.body.next_cursor || null;
        renderTickets();
        // A stable signal that the list reflects the server, for tests and for styling.
        $("tickets").setAttribute("data-loaded", "true");
      })
      .catch(ignoreStale)
      .then(function () {
        table.removeAttribute("aria-busy");
      });
  }

  function findTicket(id) {
    for (var i = 0; i < state.tickets.length; i++) if (state.tickets[i].id === id) return state.tickets[i];
    return null;
  }

  function renderTickets() {
    var body = $("ticket-rows");
    body.textContent = "";
    state.tickets.forEach(function (t) {
      body.appendChild(ticketRow(t));
    });
    $("tickets-empty").hidden = state.tickets.length > 0;
    $("ticket-table").hidden = state.tickets.length === 0;
    $("tickets-more").hidden = !state.nextCursor;
  }

  function cell(label, testid, content, extraClass) {
    // Explicit roles keep the table semantics when narrow screens restyle it as cards.
    var td = el("td", { role: "cell", "data-label": label, "data-testid": testid, class: extraClass || null });
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content;
    return td;
  }

  function timeNode(iso) {
    return el("time", { datetime: iso }, formatTime(iso));
  }

  function ticketRow(t) {
    var tr = el("tr", {
      role: "row",
      "data-testid": "ticket-row",
      "data-ticket-id": t.id,
      "data-number": t.number,
      "data-status": t.status
    });
    var category = state.categoryById[t.category_id];
    tr.appendChild(cell("Number", "ticket-number", t.number, "nowrap"));
    tr.appendChild(cell("Title", "ticket-title", t.title, "title-cell"));
    tr.appendChild(cell("Category", "ticket-category", category ? category.name : t.category_id));
    tr.appendChild(cell("Group", "ticket-group", groupName(t.group_id), t.group_id ? null : "muted"));
    tr.appendChild(cell("Priority", "ticket-priority", el("span", { class: "badge priority-" + t.priority }, t.priority)));
    tr.appendChild(cell("Status", "ticket-status", el("span", { class: "badge status-" + t.status }, humanize(t.status))));
    tr.appendChild(cell("Created", "ticket-created", timeNode(t.created_at), "time-cell"));
    var due;
    if (t.sla && t.sla.resolution_due_at) {
      due = el("span", { class: "sla sla-" + t.sla.state });
      due.appendChild(timeNode(t.sla.resolution_due_at));
      if (t.sla.state && t.sla.state !== "on_track") {
        due.appendChild(document.createTextNode(" "));
        due.appendChild(el("span", { class: "badge sla-state" }, SLA_LABELS[t.sla.state] || humanize(t.sla.state)));
      }
    } else {
      due = el("span", { class: "muted", title: "No SLA clock yet" }, "—");
    }
    tr.appendChild(cell("Resolve by", "ticket-sla-due", due, "time-cell"));
    return tr;
  }

  function putTicketFirst(ticket) {
    var existing = findTicket(ticket.id);
    if (existing) state.tickets.splice(state.tickets.indexOf(existing), 1);
    state.tickets.unshift(ticket);
    renderTickets();
    var row = $("ticket-rows").firstChild;
    if (row) {
      row.className = "fresh";
      window.setTimeout(function () { row.className = ""; }, 4000);
    }
  }

  // SLA clocks start from the ticket-created event, a moment after the answer to the POST;
  // look again shortly so the due time shows up without a reload.
  function followSla(ticketId) {
    var generation = state.generation;
    [1500, 5000].forEach(function (delay) {
      window.setTimeout(function () {
        var known = findTicket(ticketId);
        if (generation !== state.generation || !known || known.sla) return;
        api("/tickets/" + encodeURIComponent(ticketId))
          .then(function (res) {
            if (res.status !== 200 || generation !== state.generation) return;
            var current = findTicket(ticketId);
            if (!current) return;
            state.tickets[state.tickets.indexOf(current)] = res.body;
            var row = $("ticket-rows").querySelector('tr[data-ticket-id="' + ticketId + '"]');
            if (row) row.parentNode.replaceChild(ticketRow(res.body), row);
          })
          .catch(function () { /* a missed refresh is harmless; Refresh shows it */ });
      }, delay);
    });
  }

  // ---- new request -----------------------------------------------------------------------

  var FIELD_INPUT = {
    category_id: "ticket-category",
    title: "ticket-title",
    description: "ticket-description",
    priority: "ticket-priority"
  };

  function clearFieldErrors() {
    FORM_FIELDS.forEach(function (name) {
      var input = $(FIELD_INPUT[name]);
      input.removeAttribute("aria-invalid");
      var box = $(FIELD_INPUT[name] + "-error");
      box.textContent = "";
      box.hidden = true;
    });
  }

  function fieldMessage(field, error) {
    // Pydantic's words are fine for lengths; for a missing or malformed category they would
    // only confuse ("Input should be a valid UUID"), so say what to do instead.
    if (field === "category_id") return "Choose a category.";
    if (error.type === "missing") return "This field is required.";
    return error.msg || "This value is not valid.";
  }

  function showProblem(body, status) {
    var errors = (body && body.errors) || [];
    var shown = {};
    var general = [];
    errors.forEach(function (e) {
      var loc = e.loc || [];
      var field = loc.length ? String(loc[loc.length - 1]) : "";
      if (FIELD_INPUT[field] && loc[0] === "body") {
        if (shown[field]) return;
        shown[field] = true;
        var box = $(FIELD_INPUT[field] + "-error");
        box.textContent = fieldMessage(field, e);
        box.hidden = false;
        $(FIELD_INPUT[field]).setAttribute("aria-invalid", "true");
      } else {
        general.push(e.msg);
      }
    });
    var firstBad = null;
    FORM_FIELDS.forEach(function (f) { if (shown[f] && !firstBad) firstBad = $(FIELD_INPUT[f]); });
    var summary = $("ticket-form-error");
    if (firstBad) {
      var n = Object.keys(shown).length;
      summary.textContent = "The request was not filed: " + (n === 1 ? "one field needs" : n + " fields need") + " attention.";
    } else {
      summary.textContent = problemText(body, "The request was not filed (HTTP " + status + ").") +
        (general.length ? " " + general.join(" ") : "");
    }
    summary.hidden = false;
    if (firstBad) firstBad.focus();
  }

  function onTicketSubmit(event) {
    event.preventDefault();
    if (state.submitting || state.justFiled) return;
    state.submitting = true;
    var button = $("ticket-submit");
    button.disabled = true;
    button.textContent = "Filing…";
    $("ticket-form").setAttribute("aria-busy", "true");
    clearFieldErrors();
    $("ticket-form-error").hidden = true;

    if (!state.draftKey) state.draftKey = newUuid();
    var body = {
      title: $("ticket-title").value,
      description: $("ticket-description").value,
      priority: $("ticket-priority").value
    };
    // An unchosen category is left out so that the server names it "missing".
    if ($("ticket-category").value) body.category_id = $("ticket-category").value;

    api("/tickets", { method: "POST", json: body, headers: { "Idempotency-Key": state.draftKey } })
      .then(function (res) {
        if (res.status === 201 || res.status === 200) {
          var t = res.body;
          state.draftKey = null;
          state.justFiled = true;
          $("ticket-form").reset();
          putTicketFirst(t);
          followSla(t.id);
          announce(
            "Request " + t.number + " filed" + (t.group_id ? "; it is with " + groupName(t.group_id) + "." : "; it will be routed shortly."),
            "success"
          );
          $("ticket-category").focus();
          return;
        }
        showProblem(res.body, res.status);
      })
      .catch(function (err) {
        if (err instanceof ApiError && (err.status === -1 || err.status === 401)) return;
        var box = $("ticket-form-error");
        box.textContent = (err && err.message ? err.message : "The request may not have been filed.") +
          " Submitting again will not file it twice.";
        box.hidden = false;
      })
      .then(function () {
        state.submitting = false;
        button.disabled = false;
        button.textContent = "File request";
        $("ticket-form").removeAttribute("aria-busy");
      });
  }

  function onFormEdited(event) {
    state.justFiled = false;
    // Editing a field clears its own error; the others stay until the next submit.
    var target = event.target;
    if (target && target.getAttribute("aria-invalid") === "true") {
      target.removeAttribute("aria-invalid");
      var box = $(target.id + "-error");
      if (box) box.hidden = true;
    }
  }

  // ---- start -----------------------------------------------------------------------------

  function start() {
    $("login-form").addEventListener("submit", onLoginSubmit);
    $("logout").addEventListener("click", function () { signOut("You have signed out."); });
    $("ticket-form").addEventListener("submit", onTicketSubmit);
    $("ticket-form").addEventListener("input", onFormEdited);
    $("ticket-form").addEventListener("change", onFormEdited);
    $("tickets-refresh").addEventListener("click", function () {
      loadTickets(false).then(function () {
        if (state.me) announce("Requests refreshed.", "info");
      });
    });
    $("tickets-more").addEventListener("click", function () { loadTickets(true); });
    $("app-title").setAttribute("tabindex", "-1");

    var token = null, expiresAt = 0;
    try {
      token = sessionStorage.getItem(TOKEN_KEY);
      expiresAt = Number(sessionStorage.getItem(EXPIRES_KEY)) || 0;
    } catch (e) {
      token = null;
    }
    if (token && expiresAt > Date.now() + 5000) {
      state.token = token;
      scheduleExpiry(expiresAt - Date.now());
      enterApp(false);
    } else {
      clearStoredToken();
      showLogin();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
