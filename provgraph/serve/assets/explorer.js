/* provgraph explorer: the page of `provgraph serve`.
 *
 * Everything it shows comes from the JSON API (/api/...) and is put into the page as text
 * (textContent, element attributes, cytoscape's canvas labels): no value from the store is
 * ever parsed as HTML, and the server's Content-Security-Policy runs no inline script.
 * Routes: #/ (the workflows) and #/w/<workflow id> (a workflow: its activities first).
 */
(function () {
  "use strict";

  var POLL_MS = 1000;     // live updates of a running workflow: at most once a second
  var TASK_PAGE = 200;    // tasks drawn when an activity is opened
  var EXPAND_LIMIT = 200; // neighbours added per expanded node and direction

  var $ = function (id) { return document.getElementById(id); };
  var state = { workflow: null, overview: null, selected: null, timer: null, seq: 0 };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function url(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null) { query.set(k, params[k]); }
    });
    var text = query.toString();
    return path + (text ? "?" + text : "");
  }

  function api(path, params) {
    return fetch(url(path, params), { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || ("HTTP " + r.status)); }
        return body;
      });
    });
  }

  function status(text) { $("status").textContent = text; }
  function fail(err) { status("error: " + (err && err.message ? err.message : err)); }

  function when(seconds) {
    if (typeof seconds !== "number") { return ""; }
    return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
  }

  // --- the workflows list ------------------------------------------------------------------

  function showList() {
    stopPolling();
    state.workflow = null;
    $("graph-view").hidden = true;
    $("list-view").hidden = false;
    $("crumb").textContent = "workflows";
    loadList();
  }

  function loadList() {
    var seq = ++state.seq;
    api("/api/workflows", { q: $("wf-filter").value, limit: 200 }).then(function (answer) {
      if (seq !== state.seq) { return; }
      var body = $("workflows").querySelector("tbody");
      body.textContent = "";
      answer.workflows.forEach(function (w) {
        var row = el("tr");
        row.dataset.id = w.id;
        var name = el("td");
        var link = el("a", w.name ? w.name + "  (" + w.id + ")" : w.id);
        link.setAttribute("href", "#/w/" + encodeURIComponent(w.id));
        name.appendChild(link);
        row.appendChild(name);
        row.appendChild(el("td", w.state, "state-" + w.state));
        row.appendChild(el("td", when(w.started_at)));
        row.appendChild(el("td", w.tasks));
        row.appendChild(el("td", w.failures, w.failures ? "failed" : ""));
        body.appendChild(row);
      });
      $("list-note").textContent = answer.total + " workflow(s)" +
        (answer.total > answer.workflows.length ? ", the newest " + answer.workflows.length +
         " shown" : "") + (answer.truncated ? " (the store holds more than were read)" : "");
      status("Showing " + answer.workflows.length + " workflow(s)");
      document.body.dataset.ready = "list";
    }).catch(fail);
  }

  // --- the graph ---------------------------------------------------------------------------

  cytoscape.use(cytoscapeDagre);
  var cy = cytoscape({
    container: $("graph"), wheelSensitivity: 0.3, boxSelectionEnabled: false, maxZoom: 1.6,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "font-family": "DejaVu Sans, Arial, sans-serif",
        "text-valign": "center", "text-halign": "center", "text-wrap": "ellipsis",
        "text-max-width": 170, "width": "data(w)", "height": 30, "border-width": 1.5 } },
      { selector: "node.entity", style: { "shape": "ellipse", "background-color": "#FFFC87",
                                          "border-color": "#808080" } },
      { selector: "node.activity", style: { "shape": "rectangle", "background-color": "#9FB1FC",
                                            "border-color": "#0000FF" } },
      { selector: "node.agent", style: { "shape": "polygon", "background-color": "#FED37F",
                                         "shape-polygon-points": "-1 1 -1 -0.25 0 -1 1 -0.25 1 1",
                                         "border-color": "#000000", "height": 36 } },
      { selector: "node.group", style: { "border-style": "double", "border-width": 5,
                                         "height": 40, "font-weight": "bold" } },
      { selector: "node.failed", style: { "border-color": "#D62728", "border-width": 4,
                                          "color": "#8B0000" } },
      { selector: "node.sel", style: { "border-color": "#000000", "border-width": 4 } },
      { selector: "edge", style: {
        "width": 1.4, "line-color": "#8A8A8A", "target-arrow-color": "#8A8A8A",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.9,
        "label": "data(label)", "font-size": 8, "color": "#555", "text-rotation": "autorotate",
        "text-background-color": "#FFFFFF", "text-background-opacity": 0.8 } },
      { selector: "edge.WAS_INFORMED_BY", style: { "line-style": "dashed" } },
      { selector: "edge.up", style: { "line-color": "#2CA02C", "target-arrow-color": "#2CA02C",
                                      "width": 2.2 } },
      { selector: "edge.down", style: { "line-color": "#FF7F0E", "target-arrow-color": "#FF7F0E",
                                        "width": 2.2 } }
    ]
  });
  var EDGE_LABELS = { USED: "used", WAS_GENERATED_BY: "wasGeneratedBy",
                      WAS_INFORMED_BY: "wasInformedBy" };

  function groupId(activity) { return "activity:" + activity; }

  function width(label) { return Math.min(180, Math.max(60, 7 * String(label).length + 18)); }

  function addNode(view) {
    if (cy.getElementById(view.id).nonempty()) { return false; }
    var classes = [view.kind];
    if (view.failed) { classes.push("failed"); }
    var label = (view.failed ? "\u2717 " : "") + view.label;
    cy.add({ group: "nodes", data: { id: view.id, label: label, w: width(label), view: view },
             classes: classes.join(" ") });
    return true;
  }

  function addEdge(src, dst, type, label) {
    var id = "e:" + type + ":" + src + "->" + dst;
    if (src === dst || cy.getElementById(id).nonempty() || cy.getElementById(src).empty() ||
        cy.getElementById(dst).empty()) { return false; }
    cy.add({ group: "edges", data: { id: id, source: src, target: dst, type: type,
                                     label: label === undefined ? (EDGE_LABELS[type] || type) : label },
             classes: type });
    return true;
  }

  function groupView(activity) {
    var statuses = Object.keys(activity.statuses).map(function (s) {
      return s + " " + activity.statuses[s];
    }).join(", ");
    return { id: groupId(activity.name), kind: "activity", type: "Activity group",
             label: activity.name + " \u00d7" + activity.tasks +
                    (activity.failed ? " (" + activity.failed + " failed)" : ""),
             failed: activity.failed > 0, group: true, activity: activity,
             statuses: statuses };
  }

  function layout(fit) {
    cy.resize();  // the graph was hidden (the list) when cytoscape measured its container
    cy.layout({ name: "dagre", rankDir: "RL", nodeSep: 22, rankSep: 70, edgeSep: 10,
                fit: fit !== false, padding: 30, animate: false }).run();
    mirror();
  }

  // The drawn graph as hidden lists (screen readers, the browser tests).
  function mirror() {
    var nodes = $("drawn-nodes"), edges = $("drawn-edges");
    nodes.textContent = "";
    edges.textContent = "";
    cy.nodes().forEach(function (n) {
      var li = el("li", n.data("label"));
      li.dataset.id = n.id();
      li.dataset.kind = n.hasClass("group") ? "group" : n.data("view").kind;
      nodes.appendChild(li);
    });
    cy.edges().forEach(function (e) {
      var li = el("li", e.data("type"));
      li.dataset.source = e.data("source");
      li.dataset.target = e.data("target");
      li.dataset.type = e.data("type");
      edges.appendChild(li);
    });
    document.body.dataset.drawnNodes = String(cy.nodes().length);
    document.body.dataset.drawnEdges = String(cy.edges().length);
  }

  // --- a workflow --------------------------------------------------------------------------

  function showWorkflow(id) {
    stopPolling();
    state.workflow = id;
    state.overview = null;
    state.opened = {};
    $("list-view").hidden = true;
    $("graph-view").hidden = false;
    $("crumb").textContent = "/ workflow " + id;
    $("results").textContent = "";
    $("details").textContent = "";
    delete document.body.dataset.ready;
    cy.elements().remove();
    var began = performance.now();
    api("/api/workflow", { id: id }).then(function (ov) {
      if (state.workflow !== id) { return; }
      drawOverview(ov, true);
      showWorkflowPanel(ov);
      window.provgraphExplorer.firstPaintMs = performance.now() - began;
      document.body.dataset.ready = "workflow";
      if (ov.state === "RUNNING") { startPolling(id); }
    }).catch(fail);
  }

  function drawOverview(ov, fit) {
    state.overview = ov;
    var added = false;
    ov.activities.forEach(function (a) {
      var view = groupView(a);
      var node = cy.getElementById(view.id);
      if (node.nonempty()) {  // live update: new counts on a drawn activity
        node.data("label", view.label);
        node.data("view", view);
        node.toggleClass("failed", view.failed);
      } else if (!(state.opened && state.opened[a.name])) {
        cy.add({ group: "nodes", data: { id: view.id, label: view.label,
                                         w: width(view.label) + 20, view: view },
                 classes: "activity group" + (view.failed ? " failed" : "") });
        added = true;
      }
    });
    ov.edges.forEach(function (e) {
      added = addEdge(groupId(e.src), groupId(e.dst), "WAS_INFORMED_BY",
                      "wasInformedBy \u00d7" + e.count) || added;
    });
    document.body.dataset.tasks = String(ov.tasks);
    status("Workflow " + ov.workflow.label + ": " + ov.tasks + " task(s) in " +
           ov.activities.length + " activit" + (ov.activities.length === 1 ? "y" : "ies") +
           " \u2014 state " + ov.state + (ov.edges_truncated ? " (activity edges of the first tasks only)" : ""));
    if (added || fit) { layout(true); } else { mirror(); }
  }

  function showWorkflowPanel(ov) {
    var box = $("details");
    box.textContent = "";
    box.appendChild(el("h2", ov.workflow.label));
    box.appendChild(el("p", "Workflow \u2014 " + ov.state + ", " + ov.tasks + " task(s)", "kind"));
    box.appendChild(table(ov.workflow.attrs));
    box.appendChild(exports("workflow", ov.workflow.id));
    box.appendChild(el("p", "Click an activity to open its tasks; click a task or a value " +
                             "to add what it used and what used it.", "note"));
  }

  // --- live updates ------------------------------------------------------------------------

  function startPolling(id) {
    $("live").textContent = "live";
    state.timer = window.setInterval(function () {
      if (state.workflow !== id) { stopPolling(); return; }
      api("/api/workflow", { id: id }).then(function (ov) {
        if (state.workflow !== id) { return; }
        if (!state.overview || ov.version !== state.overview.version) { drawOverview(ov, false); }
        if (ov.state !== "RUNNING") { stopPolling(); }
      }).catch(fail);
    }, POLL_MS);
  }

  function stopPolling() {
    if (state.timer !== null) { window.clearInterval(state.timer); }
    state.timer = null;
    $("live").textContent = "";
  }

  // --- opening an activity, expanding a node -----------------------------------------------

  function openActivity(node) {
    var activity = node.data("view").activity;
    api("/api/tasks", { id: state.workflow, activity: activity.name, limit: TASK_PAGE })
      .then(function (answer) {
        state.opened = state.opened || {};
        state.opened[activity.name] = true;
        var gid = node.id();
        answer.tasks.forEach(addNode);
        answer.links.forEach(function (link) {
          var ends = [link.src, link.dst].map(function (end) {
            if (cy.getElementById(end).nonempty()) { return end; }
            var info = answer.ends[end];
            if (info && info.workflow_id === state.workflow && info.activity_id) {
              return groupId(info.activity_id);
            }
            return null;
          });
          if (ends[0] && ends[1] && ends[0] !== gid && ends[1] !== gid) {
            addEdge(ends[0], ends[1], link.type);
          }
        });
        cy.getElementById(gid).remove();
        layout(true);
        status("Opened " + activity.name + ": " + answer.tasks.length + " of " +
               activity.tasks + " task(s)" + (answer.truncated ? " (the first " + TASK_PAGE +
               " by start time)" : ""));
      }).catch(fail);
  }

  function addLineage(answer, way) {
    var added = 0;
    answer.hits.forEach(function (hit) { if (addNode(answer.views[hit.id])) { added++; } });
    answer.edges.forEach(function (e) {
      if (addEdge(e.src, e.dst, e.type)) { cy.getElementById("e:" + e.type + ":" + e.src + "->" + e.dst).addClass(way === "upstream" ? "up" : "down"); }
    });
    return added;
  }

  function expand(id, ways) {
    var wanted = ways || ["upstream", "downstream"];
    return api("/api/expand", { id: id, limit: EXPAND_LIMIT }).then(function (answer) {
      var added = 0, capped = [];
      wanted.forEach(function (way) {
        added += addLineage(answer[way], way);
        if (answer[way].truncated) { capped.push(way); }
      });
      layout(true);
      status("Expanded " + id + ": " + added + " new node(s)" +
             (capped.length ? " (capped at " + EXPAND_LIMIT + " " + capped.join(" and ") + ")" : ""));
    });
  }

  // --- the side panel ----------------------------------------------------------------------

  function table(attrs) {
    var t = el("table");
    Object.keys(attrs || {}).forEach(function (key) {
      var row = el("tr");
      row.appendChild(el("th", key));
      var cell = el("td");
      var value = attrs[key];
      if (value !== null && typeof value === "object") {
        cell.appendChild(el("pre", JSON.stringify(value, null, 1)));
      } else {
        cell.textContent = String(value);
      }
      row.appendChild(cell);
      t.appendChild(row);
    });
    return t;
  }

  function exports(scope, id) {
    var box = el("p", "PROV export: ", "exports");
    (state.formats || [{ name: "json", extension: ".json" }]).forEach(function (f) {
      var a = el("a", f.name);
      a.setAttribute("href", url("/api/export", { scope: scope, id: id, format: f.name }));
      a.setAttribute("download", "");
      box.appendChild(a);
    });
    return box;
  }

  function select(node) {
    cy.nodes().removeClass("sel");
    node.addClass("sel");
    state.selected = node.id();
    var view = node.data("view");
    var box = $("details");
    box.textContent = "";
    var head = el("h2", view.label);
    if (view.failed) { head.className = "failed"; }
    box.appendChild(head);
    if (view.group) {
      box.appendChild(el("p", "Activity of this workflow \u2014 " + view.statuses, "kind"));
      var open = el("button", "open its tasks");
      open.type = "button";
      open.addEventListener("click", function () { openActivity(node); });
      box.appendChild(open);
      return Promise.resolve();
    }
    box.appendChild(el("p", view.type, "kind"));
    var actions = el("div", null, "actions");
    [["expand upstream", ["upstream"]], ["expand downstream", ["downstream"]]].forEach(function (b) {
      var button = el("button", b[0]);
      button.type = "button";
      button.addEventListener("click", function () { expand(view.id, b[1]).catch(fail); });
      actions.appendChild(button);
    });
    box.appendChild(actions);
    return api("/api/node", { id: view.id }).then(function (answer) {
      if (state.selected !== view.id) { return; }
      box.appendChild(table(answer.node.attrs));
      box.appendChild(exports("around", view.id));
    });
  }

  cy.on("tap", "node", function (evt) {
    var node = evt.target;
    if (node.hasClass("group")) {
      select(node).then(function () { openActivity(node); }).catch(fail);
      return;
    }
    Promise.all([select(node), expand(node.id())]).catch(fail);
  });

  // --- search ------------------------------------------------------------------------------

  var searchTimer = null;

  function result(view, why, onPick) {
    var li = el("li", view.label);
    li.dataset.id = view.id;
    li.appendChild(el("span", why, "why"));
    li.addEventListener("click", onPick);
    $("results").appendChild(li);
  }

  function focusNode(id) {
    var node = cy.getElementById(id);
    cy.animate({ center: { eles: node } }, { duration: 150 });
    return Promise.all([select(node), node.hasClass("group") ? null : expand(id)]);
  }

  function search() {
    var q = $("search").value.trim();
    $("results").textContent = "";
    if (!q || !state.workflow) { return; }
    var lower = q.toLowerCase(), shown = {};
    cy.nodes().forEach(function (n) {
      var view = n.data("view");
      if ((view.label + " " + view.id).toLowerCase().indexOf(lower) >= 0) {
        shown[view.id] = true;
        result(view, "drawn", function () { focusNode(view.id).catch(fail); });
      }
    });
    api("/api/search", { q: q, workflow: state.workflow }).then(function (answer) {
      if ($("search").value.trim() !== q) { return; }
      answer.results.forEach(function (view) {
        if (shown[view.id]) { return; }
        shown[view.id] = true;
        result(view, view.match, function () {
          if (view.type === "Workflow") { window.location.hash = "#/w/" + encodeURIComponent(view.id); return; }
          addNode(view);
          layout(false);
          focusNode(view.id).catch(fail);
        });
      });
      if (!$("results").children.length) { $("results").appendChild(el("li", "no match")); }
    }).catch(fail);
  }

  $("search").addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(search, 200);
  });
  $("wf-filter").addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(loadList, 200);
  });
  $("fit").addEventListener("click", function () { cy.fit(undefined, 30); });

  // --- routes ------------------------------------------------------------------------------

  function route() {
    var hash = window.location.hash || "#/";
    if (hash.indexOf("#/w/") === 0) {
      var id;
      try { id = decodeURIComponent(hash.slice(4)); } catch (e) { id = hash.slice(4); }
      showWorkflow(id);
    } else {
      showList();
    }
  }

  window.provgraphExplorer = { cy: cy, state: state, firstPaintMs: null };
  window.addEventListener("hashchange", route);
  api("/api/formats").then(function (a) { state.formats = a.formats; }).catch(function () {});
  route();
})();
