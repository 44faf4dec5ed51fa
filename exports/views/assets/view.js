/* provgraph lineage view: the page's own code (the libraries are inlined before it).
 *
 * It opens on the focus node with one level up and one down, adds a node's neighbours
 * when it is clicked, collapses repeated activities (loop iterations, the same step run
 * many times) and the values they share a role in into one node with a count, highlights
 * what is upstream and downstream of the selected node, and says what it left out.
 * The drawn graph is mirrored in two hidden lists (#drawn-nodes, #drawn-edges) for screen
 * readers and for tests.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("provgraph-data").textContent);
  var MAX_DRAWN = 400;
  var GROUP_MIN = 3;
  var MIN_READABLE_ZOOM = 0.75;
  var LINEAGE = { USED: true, WAS_GENERATED_BY: true, WAS_INFORMED_BY: true };

  var nodes = new Map();
  var outEdges = new Map();
  var inEdges = new Map();
  DATA.nodes.forEach(function (n) { nodes.set(n.id, n); });
  DATA.edges.forEach(function (e) {
    if (!nodes.has(e.s) || !nodes.has(e.t)) { return; }
    push(outEdges, e.s, e);
    push(inEdges, e.t, e);
  });

  var state = {
    focus: nodes.has(DATA.focus) ? DATA.focus : (DATA.nodes[0] || {}).id,
    depth: 1,
    shown: [],          // node ids to draw, in the order they were reached
    expanded: new Set(), // group ids the reader opened
    // Nodes whose context edges (part of, associated with) stay drawn: every node the
    // reader clicked and the members of every group they opened, so that a click never
    // takes away an edge that was drawn before it.
    context: new Set(),
    selected: null,
    memberOf: new Map(),
    groups: new Map(),
    leftOut: 0
  };

  function push(map, key, value) {
    var list = map.get(key);
    if (!list) { list = []; map.set(key, list); }
    list.push(value);
  }

  function edgesOf(id) {
    return (outEdges.get(id) || []).concat(inEdges.get(id) || []);
  }

  function other(edge, id) { return edge.s === id ? edge.t : edge.s; }

  // --- what is shown ------------------------------------------------------------------

  function around(id, depth) {
    // Breadth first up (along the PROV arrows) and down (against them), `depth` levels
    // each; the focus also gets its agents and what it is part of.
    var order = [id];
    var seen = new Set([id]);
    [["up", outEdges, "t"], ["down", inEdges, "s"]].forEach(function (way) {
      var frontier = [id];
      for (var level = 0; level < depth && frontier.length; level++) {
        var next = [];
        frontier.forEach(function (node) {
          (way[1].get(node) || []).forEach(function (e) {
            var n = e[way[2]];
            if (LINEAGE[e.type] && !seen.has(n)) { seen.add(n); next.push(n); order.push(n); }
          });
        });
        frontier = next;
      }
    });
    edgesOf(id).forEach(function (e) {
      var n = other(e, id);
      if (!LINEAGE[e.type] && !seen.has(n)) { seen.add(n); order.push(n); }
    });
    return order;
  }

  function showAround(id, depth) {
    state.focus = id;
    state.depth = depth;
    state.expanded = new Set();
    state.context = new Set();
    state.shown = around(id, depth);
    state.selected = id;
    render();
  }

  function expand(id) {
    var shown = new Set(state.shown);
    var group = state.groups.get(id);
    if (group) {
      state.expanded.add(id);
      group.members.forEach(function (m) { state.context.add(m); });
    } else {
      state.context.add(id);
      edgesOf(id).forEach(function (e) {
        var n = other(e, id);
        if (!shown.has(n)) { shown.add(n); state.shown.push(n); }
      });
    }
    render();
  }

  // --- collapsing repeated activities -----------------------------------------------------

  function represent(ids) {
    // Tasks of one activity (>= GROUP_MIN of them) become one group node; then the values
    // that touch only one group, all in the same role, become a group of their own.
    var pinned = new Set([state.focus, state.selected]);
    var memberOf = new Map();
    var groups = new Map();
    var byActivity = new Map();
    ids.forEach(function (id) {
      var n = nodes.get(id);
      if (n.kind === "activity" && n.type === "Task" && n.group && !pinned.has(id)) {
        push(byActivity, n.group, id);
      }
    });
    byActivity.forEach(function (members, activity) {
      var gid = "group:" + activity;
      if (members.length >= GROUP_MIN && !state.expanded.has(gid)) {
        groups.set(gid, { id: gid, members: members, kind: "activity", label: activity });
        members.forEach(function (m) { memberOf.set(m, gid); });
      }
    });
    var inside = new Set(ids);
    var byRole = new Map();
    ids.forEach(function (id) {
      var n = nodes.get(id);
      if (n.kind !== "entity" || pinned.has(id)) { return; }
      var keys = new Set();
      edgesOf(id).forEach(function (e) {
        var o = other(e, id);
        if (inside.has(o)) { keys.add((memberOf.get(o) || o) + "|" + e.type + "|" + (e.role || "")); }
      });
      if (keys.size !== 1) { return; }
      var key = keys.values().next().value;
      if (groups.has(key.split("|")[0])) { push(byRole, key, id); }
    });
    byRole.forEach(function (members, key) {
      var parts = key.split("|");
      var gid = "group:" + key;
      if (members.length >= GROUP_MIN && !state.expanded.has(gid)) {
        groups.set(gid, { id: gid, members: members, kind: "entity",
                          label: parts[2] || parts[1].toLowerCase() });
        members.forEach(function (m) { memberOf.set(m, gid); });
      }
    });
    state.memberOf = memberOf;
    state.groups = groups;
  }

  function rep(id) { return state.memberOf.get(id) || id; }

  function pinnedEdge(e) {
    if (e.type === "WAS_PART_OF" && nodes.get(e.t).type === "Task") { return true; }
    var ends = [e.s, e.t, rep(e.s), rep(e.t)];
    if (ends.indexOf(state.focus) >= 0) { return true; }
    if (state.selected !== null && ends.indexOf(state.selected) >= 0) { return true; }
    return state.context.has(e.s) || state.context.has(e.t) ||
      state.context.has(rep(e.s)) || state.context.has(rep(e.t));
  }

  // --- drawing ----------------------------------------------------------------------------

  function nodeElement(id) {
    var g = state.groups.get(id);
    if (g) {
      var failed = g.members.filter(function (m) { return nodes.get(m).failed; }).length;
      var label = g.label + " \u00d7" + g.members.length + (failed ? " (" + failed + " failed)" : "");
      return { group: "nodes", data: { id: id, label: label, kind: g.kind, count: g.members.length,
                                        w: width(label), failed: failed > 0 },
               classes: g.kind + " group" + (failed ? " failed" : "") };
    }
    var n = nodes.get(id);
    var text = (n.failed ? "\u2717 " : "") + n.label + (n.outside ? "  (+" + n.outside + ")" : "");
    return { group: "nodes", data: { id: id, label: text, kind: n.kind, count: 1, w: width(text),
                                      failed: n.failed },
             classes: n.kind + (n.failed ? " failed" : "") + (id === state.focus ? " focus" : "") };
  }

  function width(label) { return Math.max(46, Math.min(170, 7 * label.length + 18)); }

  function render() {
    var kept = state.shown.slice(0, MAX_DRAWN * 20);
    represent(kept);
    var drawn = [];
    var placed = new Set();
    state.leftOut = 0;
    kept.forEach(function (id) {
      var r = rep(id);
      if (placed.has(r)) { return; }
      if (placed.size >= MAX_DRAWN) { state.leftOut += 1; return; }
      placed.add(r);
      drawn.push(r);
    });
    state.leftOut += state.shown.length - kept.length;
    var edges = new Map();
    var inside = new Set(kept);
    DATA.edges.forEach(function (e) {
      if (!inside.has(e.s) || !inside.has(e.t)) { return; }
      // Context (who ran it, what it is part of) only for the focus and the selected node:
      // every task is part of its workflow, and those edges would pull the layout apart.
      if (!LINEAGE[e.type] && !pinnedEdge(e)) { return; }
      var a = rep(e.s);
      var b = rep(e.t);
      if (a === b || !placed.has(a) || !placed.has(b)) { return; }
      var key = a + "\u0000" + b + "\u0000" + e.type;
      var found = edges.get(key);
      if (found) { found.data.count += 1; return; }
      var word = DATA.edge_labels[e.type] || e.type;
      edges.set(key, { group: "edges", data: { id: "e" + edges.size, source: a, target: b,
                                                type: e.type, count: 1,
                                                label: e.role ? word + " " + e.role : word },
                       classes: e.type });
    });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(drawn.map(nodeElement));
      cy.add(Array.from(edges.values()));
    });
    cy.layout({ name: "dagre", rankDir: "RL", nodeSep: 22, rankSep: 70, edgeSep: 10,
                animate: false, fit: true, padding: 30 }).run();
    if (cy.zoom() > 1.6) { cy.zoom(1.6); cy.center(); }
    if (cy.zoom() < MIN_READABLE_ZOOM) {
      // Too wide to read when fitted: stay readable around the focus ("fit" shows it all).
      var focusNode = cy.getElementById(rep(state.focus));
      cy.zoom(MIN_READABLE_ZOOM);
      cy.center(focusNode.length ? focusNode : undefined);
    }
    select(state.selected && cy.getElementById(rep(state.selected)).length ? rep(state.selected) : null);
    mirror(drawn, Array.from(edges.values()));
    status(drawn.length);
  }

  function select(id) {
    state.selected = id;
    cy.elements().removeClass("up down faded sel");
    if (!id) { panel(null); return; }
    var node = cy.getElementById(id);
    if (!node.length) { panel(null); return; }
    var up = node.successors();
    var down = node.predecessors();
    cy.elements().not(up).not(down).not(node).addClass("faded");
    up.nodes().addClass("up");
    down.nodes().addClass("down");
    up.edges().addClass("up");
    down.edges().addClass("down");
    node.addClass("sel");
    panel(id);
  }

  // --- side panel, search, status -----------------------------------------------------

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function valueCell(value) {
    if (value !== null && typeof value === "object") {
      var pre = el("pre", JSON.stringify(value, null, 1));
      return pre;
    }
    return el("span", String(value));
  }

  function panel(id) {
    var box = document.getElementById("details");
    box.innerHTML = "";
    if (!id) {
      box.appendChild(el("p", "Click a node: it shows its neighbours and its attributes here. " +
                              "Green: upstream (what it was derived from); orange: downstream.", "hint"));
      return;
    }
    var g = state.groups.get(id);
    if (g) {
      box.appendChild(el("h2", g.label + " \u00d7" + g.members.length));
      var counts = {};
      g.members.forEach(function (m) {
        var s = nodes.get(m).status || nodes.get(m).type;
        counts[s] = (counts[s] || 0) + 1;
      });
      box.appendChild(el("p", Object.keys(counts).map(function (k) { return k + ": " + counts[k]; }).join(", ")));
      var open = el("button", "expand the " + g.members.length + " nodes");
      open.id = "expand-group";
      open.onclick = function () { expand(id); };
      box.appendChild(open);
      var list = el("ol", null, "members");
      g.members.slice(0, 200).forEach(function (m) {
        var li = el("li", nodes.get(m).label + (nodes.get(m).status ? " \u2014 " + nodes.get(m).status : ""));
        li.title = m;
        list.appendChild(li);
      });
      box.appendChild(list);
      return;
    }
    var n = nodes.get(id);
    box.appendChild(el("h2", (n.failed ? "\u2717 " : "") + n.label, n.failed ? "failed" : ""));
    box.appendChild(el("p", n.type + (n.status ? " \u00b7 " + n.status : ""), "kind"));
    var table = el("table");
    Object.keys(n.attrs).forEach(function (key) {
      var tr = el("tr");
      tr.appendChild(el("th", key));
      var td = el("td");
      td.appendChild(valueCell(n.attrs[key]));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (n.outside) {
      box.appendChild(el("p", n.outside + " neighbour(s) of this node are not in this page " +
                              "(beyond the exported depth): write a view around it to see them.", "note"));
    }
    var refocus = el("button", "focus here");
    refocus.onclick = function () { showAround(id, state.depth); };
    box.appendChild(refocus);
  }

  function search(query) {
    var results = document.getElementById("results");
    results.innerHTML = "";
    var q = query.trim().toLowerCase();
    if (!q) { return; }
    var found = DATA.nodes.filter(function (n) { return n.text.indexOf(q) >= 0; });
    found.slice(0, 30).forEach(function (n) {
      var li = el("li", (n.failed ? "\u2717 " : "") + n.label + " \u2014 " + n.type);
      li.title = n.id;
      li.onclick = function () { showAround(n.id, state.depth); };
      results.appendChild(li);
    });
    if (found.length > 30) { results.appendChild(el("li", "\u2026 " + (found.length - 30) + " more", "more")); }
    if (!found.length) { results.appendChild(el("li", "no node matches", "more")); }
  }

  function status(count) {
    var parts = ["Showing " + count + " node(s) of " + DATA.nodes.length + " in this page",
                 "depth " + state.depth, "focus: " + nodes.get(state.focus).label];
    var notes = DATA.notes.slice();
    if (state.leftOut) {
      notes.unshift(state.leftOut + " node(s) not drawn: at most " + MAX_DRAWN +
                    " are drawn at once (focus on a node or lower the depth)");
    }
    document.getElementById("status").textContent = parts.join(" \u00b7 ");
    var box = document.getElementById("notes");
    box.innerHTML = "";
    notes.forEach(function (text) { box.appendChild(el("li", text)); });
    box.hidden = !notes.length;
  }

  function mirror(drawn, edges) {
    var list = document.getElementById("drawn-nodes");
    list.innerHTML = "";
    drawn.forEach(function (id) {
      var d = cy.getElementById(id).data();
      var li = el("li", d.label);
      li.dataset.id = id;
      li.dataset.kind = d.kind;
      li.dataset.count = d.count;
      list.appendChild(li);
    });
    var elist = document.getElementById("drawn-edges");
    elist.innerHTML = "";
    edges.forEach(function (e) {
      var li = el("li", e.data.source + " " + e.data.label + " " + e.data.target);
      li.dataset.source = e.data.source;
      li.dataset.target = e.data.target;
      li.dataset.type = e.data.type;
      elist.appendChild(li);
    });
    document.body.dataset.drawnNodes = drawn.length;
    document.body.dataset.drawnEdges = edges.length;
  }

  // --- start ------------------------------------------------------------------------------

  cytoscape.use(cytoscapeDagre);
  var cy = cytoscape({
    container: document.getElementById("graph"),
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "font-family": "DejaVu Sans, Arial, sans-serif",
        "text-valign": "center", "text-halign": "center", "text-wrap": "ellipsis",
        "text-max-width": 160, "width": "data(w)", "height": 30, "border-width": 1.5 } },
      { selector: "node.entity", style: { "shape": "ellipse", "background-color": "#FFFC87",
                                          "border-color": "#808080" } },
      { selector: "node.activity", style: { "shape": "rectangle", "background-color": "#9FB1FC",
                                            "border-color": "#0000FF" } },
      { selector: "node.agent", style: { "shape": "polygon", "background-color": "#FED37F",
                                         "shape-polygon-points": "-1 1 -1 -0.25 0 -1 1 -0.25 1 1",
                                         "border-color": "#000000", "height": 36 } },
      { selector: "node.group", style: { "border-style": "double", "border-width": 5, "height": 38,
                                         "font-weight": "bold" } },
      { selector: "node.failed", style: { "border-color": "#D62728", "border-width": 4,
                                          "color": "#8B0000" } },
      { selector: "node.focus", style: { "font-weight": "bold", "border-width": 3 } },
      { selector: "edge", style: {
        "width": 1.4, "line-color": "#8A8A8A", "target-arrow-color": "#8A8A8A",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.9,
        "label": "data(label)", "font-size": 8, "color": "#555", "text-rotation": "autorotate",
        "text-background-color": "#FFFFFF", "text-background-opacity": 0.8,
        "text-background-padding": 1 } },
      { selector: "edge.WAS_INFORMED_BY", style: { "line-style": "dashed" } },
      { selector: "edge.WAS_PART_OF", style: { "line-style": "dotted", "line-color": "#BBBBBB",
                                               "target-arrow-color": "#BBBBBB" } },
      { selector: "edge.WAS_ASSOCIATED_WITH", style: { "line-color": "#E0A030",
                                                       "target-arrow-color": "#E0A030" } },
      { selector: ".faded", style: { "opacity": 0.22 } },
      { selector: "node.up", style: { "underlay-color": "#2CA02C", "underlay-padding": 5,
                                      "underlay-opacity": 0.45 } },
      { selector: "node.down", style: { "underlay-color": "#FF7F0E", "underlay-padding": 5,
                                        "underlay-opacity": 0.45 } },
      { selector: "edge.up", style: { "line-color": "#2CA02C", "target-arrow-color": "#2CA02C",
                                      "width": 2.2 } },
      { selector: "edge.down", style: { "line-color": "#FF7F0E", "target-arrow-color": "#FF7F0E",
                                        "width": 2.2 } },
      { selector: "node.sel", style: { "border-color": "#000000", "border-width": 4 } }
    ]
  });

  cy.on("tap", "node", function (evt) {
    var id = evt.target.id();
    state.selected = state.groups.has(id) ? null : id;
    if (state.groups.has(id)) { panel(id); }
    expand(id);
  });
  cy.on("tap", function (evt) { if (evt.target === cy) { select(null); } });

  var depthSelect = document.getElementById("depth");
  depthSelect.onchange = function () { showAround(state.focus, parseInt(depthSelect.value, 10)); };
  document.getElementById("search").oninput = function (evt) { search(evt.target.value); };
  document.getElementById("reset").onclick = function () { showAround(DATA.focus, 1); depthSelect.value = "1"; };
  document.getElementById("fit").onclick = function () { cy.fit(undefined, 30); };

  window.provgraphView = { cy: cy, state: state, expand: expand, showAround: showAround,
                           select: select, data: DATA };
  showAround(state.focus, 1);
  document.body.dataset.ready = "true";
})();
