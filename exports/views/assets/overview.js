/* provgraph lineage view: the activity overview of a large workflow (run after view.js).
 *
 * A workflow of hundreds or thousands of tasks opens on its activities, one node each
 * (task count, status mix, mean duration), with edges between activities counting the
 * task edges they stand for, as Flowcept's dataflow view and Kedro-Viz show pipelines.
 * Clicking an activity drills down to its tasks, drawn in a grid between the activities
 * upstream (left) and downstream (right); clicking a task selects it (its attributes and a
 * button to its lineage), clicking a neighbouring activity drills into that one, and
 * "activity overview" comes back. The overview is computed once, in Python, for every
 * view (DATA.overview); this file only draws it.
 */
(function () {
  "use strict";

  var view = window.provgraphView;
  var DATA = view.data;
  var O = DATA.overview;
  if (!O) { return; }
  var cy = view.cy;
  var state = view.state;
  var el = view.el;
  var MAX_TASKS = 400;  // tasks of one activity drawn at once (the others are counted)
  var NO_ACTIVITY = "(no activity)";

  var activities = new Map();
  O.activities.forEach(function (a) { activities.set(a.id, a); });
  var activityOf = new Map();  // task id -> activity node id
  var tasksOf = new Map();     // activity node id -> task ids, in start order
  DATA.nodes.forEach(function (n) {
    if (n.type !== "Task") { return; }
    var aid = "activity:" + (n.group || NO_ACTIVITY);
    if (!activities.has(aid)) { return; }
    activityOf.set(n.id, aid);
    if (!tasksOf.has(aid)) { tasksOf.set(aid, []); }
    tasksOf.get(aid).push(n.id);
  });
  function started(id) { return (view.nodes.get(id).attrs || {}).started || "\uffff"; }
  tasksOf.forEach(function (ids) {
    ids.sort(function (a, b) {
      var x = started(a), y = started(b);
      return x < y ? -1 : x > y ? 1 : (a < b ? -1 : a > b ? 1 : 0);
    });
  });
  var linksOf = new Map();     // task id -> its task links [src, dst, type]
  O.links.forEach(function (link) {
    [link[0], link[1]].forEach(function (t) {
      if (!linksOf.has(t)) { linksOf.set(t, []); }
      linksOf.get(t).push(link);
    });
  });

  function lines(a) {
    var mix = Object.keys(a.statuses).map(function (s) { return s + " " + a.statuses[s]; });
    var out = [a.name + " \u00d7" + a.tasks, mix.join(", ")];
    if (a.mean_s !== null && a.mean_s !== undefined) { out.push("mean " + seconds(a.mean_s)); }
    return out;
  }

  function seconds(v) {
    if (v < 1e-3) { return (v * 1e6).toFixed(0) + " \u00b5s"; }
    if (v < 1) { return (v * 1e3).toFixed(1) + " ms"; }
    return v < 120 ? v.toFixed(2) + " s" : (v / 60).toFixed(1) + " min";
  }

  function activityElement(a, extra) {
    var text = lines(a);
    var longest = Math.max.apply(null, text.map(function (t) { return t.length; }));
    return { group: "nodes",
             data: { id: a.id, label: text.join("\n"), kind: "activity", count: a.tasks,
                     w: Math.max(110, Math.min(300, 8 * longest + 28)), h: 16 * text.length + 16,
                     failed: a.failed > 0 },
             classes: "activity overview group" + (a.failed ? " failed" : "") + (extra || "") };
  }

  function edgeElement(i, s, t, type, count) {
    var word = DATA.edge_labels[type] || type;
    return { group: "edges",
             data: { id: "o" + i, source: s, target: t, type: type, count: count,
                     label: count > 1 ? word + " \u00d7" + count : word },
             classes: type + " counted" };
  }

  function finish(ids, edges, text) {
    view.select(null);
    view.mirror(ids, edges);
    document.getElementById("status").textContent = text;
    var box = document.getElementById("notes");
    box.innerHTML = "";
    box.hidden = true;
    document.getElementById("to-overview").hidden = state.mode === "overview";
    document.body.dataset.mode = state.mode;
    document.body.dataset.ready = "true";
  }

  function showOverview() {
    state.mode = "overview";
    state.activity = null;
    var nodes = O.activities.map(function (a) { return activityElement(a); });
    var edges = O.edges.map(function (e, i) { return edgeElement(i, e.s, e.t, e.type, e.count); });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(nodes);
      cy.add(edges);
    });
    // Top to bottom, as Kedro-Viz draws a pipeline: the first activities at the top.
    cy.layout({ name: "dagre", rankDir: "BT", nodeSep: 40, rankSep: 70, animate: false,
                fit: true, padding: 30 }).run();
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
    finish(nodes.map(function (n) { return n.data.id; }), edges,
           "Activity overview: " + O.activities.length + " activities of " + O.tasks +
           " tasks \u00b7 click an activity to see its tasks");
    activityPanel(null);
  }

  function drill(aid) {
    var a = activities.get(aid);
    state.mode = "activity";
    state.activity = aid;
    var all = tasksOf.get(aid) || [];
    var tasks = all.slice(0, MAX_TASKS);
    var drawnTasks = new Set(tasks);
    var elements = [];
    var edges = new Map();
    var sides = new Map();  // neighbouring activity -> "up" or "down"
    tasks.forEach(function (t) {
      (linksOf.get(t) || []).forEach(function (link) {
        var mine = link[0] === t ? 0 : 1;
        var there = link[1 - mine];
        var end = drawnTasks.has(there) ? there : activityOf.get(there);
        if (!end || end === aid) { return; }
        if (!drawnTasks.has(there)) { sides.set(end, mine === 0 ? "up" : "down"); }
        var s = mine === 0 ? t : end;
        var d = mine === 0 ? end : t;
        var key = s + "\u0000" + d + "\u0000" + link[2];
        if (edges.has(key)) { edges.get(key).data.count += 1; return; }
        edges.set(key, edgeElement(edges.size, s, d, link[2], 1));
      });
    });
    tasks.forEach(function (t) {
      var n = view.nodes.get(t);
      var text = (n.failed ? "\u2717 " : "") + n.label;
      elements.push({ group: "nodes", data: { id: t, label: text, kind: "activity", count: 1,
                                               w: Math.max(60, Math.min(170, 7 * text.length + 18)),
                                               failed: n.failed },
                      classes: "activity" + (n.failed ? " failed" : "") });
    });
    sides.forEach(function (side, other) { elements.push(activityElement(activities.get(other))); });
    var list = Array.from(edges.values());
    list.forEach(function (e) {
      e.data.label = (DATA.edge_labels[e.data.type] || e.data.type) +
        (e.data.count > 1 ? " \u00d7" + e.data.count : "");
      if (tasks.length > 12) { e.classes = e.data.type; }  // hover for labels: too many
    });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements);
      cy.add(list);
    });
    place(tasks, sides);
    var shown = tasks.length < all.length ? tasks.length + " of " + all.length : all.length;
    finish(elements.map(function (n) { return n.data.id; }), list,
           a.name + ": " + shown + " task(s) \u00b7 click a task for its attributes, " +
           "an activity to open it");
    activityPanel(aid, all.length - tasks.length);
  }

  function place(tasks, sides) {
    // The tasks in a grid (start order, row by row, about as wide as the canvas is); the
    // activities upstream above it and those downstream below: time reads top to bottom,
    // as in the overview.
    var cellW = 175;
    var cellH = 46;
    var cols = Math.max(1, Math.ceil(Math.sqrt(tasks.length * 1.5 * cellH / cellW)));
    var rows = Math.ceil(tasks.length / cols);
    var positions = {};
    tasks.forEach(function (t, i) {
      positions[t] = { x: (i % cols) * cellW, y: Math.floor(i / cols) * cellH };
    });
    var up = [];
    var down = [];
    sides.forEach(function (side, id) { (side === "up" ? up : down).push(id); });
    var middle = (cols - 1) * cellW / 2;
    [[up, -140], [down, (rows - 1) * cellH + 140]].forEach(function (pair) {
      pair[0].sort().forEach(function (id, i) {
        positions[id] = { x: middle + (i - (pair[0].length - 1) / 2) * 320, y: pair[1] };
      });
    });
    cy.layout({ name: "preset", positions: function (n) { return positions[n.id()]; },
                fit: true, padding: 30, animate: false }).run();
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
    if (cy.zoom() < 0.6) {
      // Too many to read fitted: start at the first tasks, readable ("fit" shows all).
      cy.zoom(0.6);
      var first = cy.getElementById(tasks[0]);
      cy.pan({ x: 100 - first.position("x") * 0.6,
               y: 40 + (up.length ? 140 * 0.6 : 0) - first.position("y") * 0.6 });
    }
  }

  function activityPanel(aid, hidden) {
    var box = document.getElementById("details");
    box.innerHTML = "";
    if (!aid) {
      box.appendChild(el("p", "This workflow has " + O.tasks + " tasks: each box is one " +
                              "activity (how many times it ran, how those runs ended, their " +
                              "mean duration). Click one to see its tasks.", "hint"));
      return;
    }
    var a = activities.get(aid);
    box.appendChild(el("h2", a.name + " \u00d7" + a.tasks, a.failed ? "failed" : ""));
    box.appendChild(el("p", "activity \u00b7 " + lines(a).slice(1).join(" \u00b7 "), "kind"));
    var table = el("table");
    O.edges.forEach(function (e) {
      if (e.s !== aid && e.t !== aid) { return; }
      var tr = el("tr");
      // The arrows point to what was used: their target is upstream.
      tr.appendChild(el("th", e.s === aid ? "upstream" : "downstream"));
      tr.appendChild(el("td", activities.get(e.s === aid ? e.t : e.s).name + " (" + e.count +
                               " task edge" + (e.count > 1 ? "s" : "") + ")"));
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (hidden) {
      box.appendChild(el("p", hidden + " more task(s) of this activity are not drawn (at most " +
                              MAX_TASKS + " at once): search for one by name or id.", "note"));
    }
  }

  cy.on("tap", "node", function (evt) {
    if (state.mode === "lineage") { return; }
    var id = evt.target.id();
    if (activities.has(id)) { drill(id); return; }
    view.select(id);  // a task: its attributes, its neighbours highlighted
  });

  var back = el("button", "activity overview");
  back.id = "to-overview";
  back.type = "button";
  back.hidden = true;
  back.onclick = function () { showOverview(); };
  document.querySelector(".controls").appendChild(back);

  view.start = showOverview;
  view.drill = drill;
  showOverview();
})();
