/* decomposer review view: explore the proposed services, move modules, see what it costs.
 *
 * Inlined into report.html by reports/html_report.py; reads the JSON document in
 * <script id="review-data"> (reports/review_data.py describes its keys). No library and no
 * network: a canvas and the DOM. Everything from the analysed repository is written with
 * textContent, never as HTML.
 *
 * The figures recomputed after each move are the ones decomposer computes in Python
 * (stages/assignment.py, docs/assignments.md):
 *   crossing imports  import statements between two services, the kernel left out
 *   ICP               sum of (ln(statements) + 1) over import edges between groups (the kernel
 *                     one group) / the same over all edges
 *   crossing data     data links whose two modules are in different groups
 *   largest service   most modules, the kernel left out; ties: the name
 *   moved item cost   2 x statements and data links from the item into other services
 *                     + 1 x those from other services into it + 1 per module moved
 *                     (in the kernel: 2 x statements into services + modules)
 */
(function () {
  "use strict";
  var holder = document.getElementById("review-data");
  if (!holder) { return; }
  var D = JSON.parse(holder.textContent);
  var N = D.modules.length;
  var KERNEL = D.kernel;

  // ---------------------------------------------------------------- state
  var names = D.services.slice();             // service names; new services are appended
  var proposal = Int32Array.from(D.service);  // the proposal, never changed
  var assign = Int32Array.from(D.service);    // the current assignment
  var history = [];                           // moves, for undo: {modules, from, to, label}
  var kernelIndex = names.indexOf(KERNEL);
  var E = D.lines.length;
  var edgeFrom = new Int32Array(E), edgeTo = new Int32Array(E), edgeCount = new Int32Array(E);
  var edgeWeight = new Float64Array(E);
  var out = [], inn = [];
  for (var m = 0; m < N; m++) { out.push([]); inn.push([]); }
  for (var e = 0; e < E; e++) {
    edgeFrom[e] = D.imports[2 * e]; edgeTo[e] = D.imports[2 * e + 1];
    edgeCount[e] = D.lines[e].length;
    edgeWeight[e] = Math.log(edgeCount[e]) + 1;
    out[edgeFrom[e]].push(e); inn[edgeTo[e]].push(e);
  }
  var dataCount = D.data.length / 3;
  var reasons = {}, moving = {};
  D.reasons.forEach(function (row) { reasons[row[0]] = row.slice(1); });
  D.moving.forEach(function (row) { moving[row[0]] = row[1]; });
  var byName = {};
  D.modules.forEach(function (name, index) { byName[name] = index; });

  // ---------------------------------------------------------------- figures
  function isService(s) { return s >= 0 && s !== kernelIndex; }

  function figures(a, item) {
    var crossing = 0, icpCross = 0, icpAll = 0, dataCross = 0;
    for (var e = 0; e < E; e++) {
      var s = a[edgeFrom[e]], t = a[edgeTo[e]];
      if (s < 0 || t < 0) { continue; }
      icpAll += edgeWeight[e];
      if (s !== t) {
        icpCross += edgeWeight[e];
        if (s !== kernelIndex && t !== kernelIndex) { crossing += edgeCount[e]; }
      }
    }
    for (var d = 0; d < dataCount; d++) {
      var x = a[D.data[3 * d]], y = a[D.data[3 * d + 1]];
      if (x >= 0 && y >= 0 && x !== y) { dataCross += 1; }
    }
    var sizes = serviceSizes(a), largest = -1;
    for (var i = 0; i < names.length; i++) {
      if (!isService(i) || sizes[i] === 0) { continue; }
      if (largest < 0 || sizes[i] > sizes[largest] || (sizes[i] === sizes[largest] && names[i] < names[largest])) {
        largest = i;
      }
    }
    return {
      crossing: crossing,
      icp: icpAll ? icpCross / icpAll : 0,
      data: D.models ? dataCross : null,  // as in Python: no figure without ORM models
      largest: largest < 0 ? "" : names[largest],
      largestModules: largest < 0 ? 0 : sizes[largest],
      cost: item && item.length ? itemCost(a, item) : null
    };
  }

  function itemCost(a, item) {
    var inside = new Set(item), home = a[item[0]], outbound = 0, inbound = 0;
    function other(s) { return s >= 0 && s !== home && s !== kernelIndex; }
    function count(source, target, n) {
      if (inside.has(source) && !inside.has(target) && other(a[target])) { outbound += n; }
      else if (inside.has(target) && !inside.has(source) && other(a[source]) && home !== kernelIndex) { inbound += n; }
    }
    item.forEach(function (m) {
      out[m].forEach(function (e) { count(edgeFrom[e], edgeTo[e], edgeCount[e]); });
      inn[m].forEach(function (e) { if (!inside.has(edgeFrom[e])) { count(edgeFrom[e], edgeTo[e], edgeCount[e]); } });
    });
    for (var d = 0; d < dataCount; d++) {
      var source = D.data[3 * d], target = D.data[3 * d + 1];
      if (inside.has(source) || inside.has(target)) { count(source, target, 1); }
    }
    return 2 * outbound + inbound + item.length;
  }

  function serviceSizes(a) {
    var sizes = new Int32Array(names.length);
    for (var m = 0; m < N; m++) { if (a[m] >= 0) { sizes[a[m]] += 1; } }
    return sizes;
  }

  function serviceLoc(a) {
    var loc = new Float64Array(names.length);
    for (var m = 0; m < N; m++) { if (a[m] >= 0) { loc[a[m]] += D.loc[m]; } }
    return loc;
  }

  // Service-to-service edges of each kind under the assignment `a`, with cycles marked.
  function serviceEdges(a) {
    var imports = {}, cochange = {}, data = {};
    function add(table, s, t, n) {
      if (s < 0 || t < 0 || s === t) { return; }
      var key = s + ">" + t;
      table[key] = (table[key] || 0) + n;
    }
    for (var e = 0; e < E; e++) { add(imports, a[edgeFrom[e]], a[edgeTo[e]], edgeCount[e]); }
    for (var c = 0; c < D.cochange.length; c += 3) {
      var x = a[D.cochange[c]], y = a[D.cochange[c + 1]];
      add(cochange, Math.min(x, y), Math.max(x, y), D.cochange[c + 2]);
    }
    for (var d = 0; d < D.data.length; d += 3) {
      var p = a[D.data[d]], q = a[D.data[d + 1]];
      add(data, Math.min(p, q), Math.max(p, q), 1);
    }
    return {imports: imports, cochange: cochange, data: data, cyclic: cyclicPairs(imports)};
  }

  // Import edges between two services of one strongly connected component (Tarjan), kernel apart.
  function cyclicPairs(imports) {
    var adjacency = names.map(function () { return []; });
    Object.keys(imports).forEach(function (key) {
      var pair = key.split(">").map(Number);
      if (isService(pair[0]) && isService(pair[1])) { adjacency[pair[0]].push(pair[1]); }
    });
    var index = 0, stack = [], onStack = [], order = [], low = [], component = [];
    function visit(v) {
      order[v] = low[v] = index++; stack.push(v); onStack[v] = true;
      adjacency[v].forEach(function (w) {
        if (order[w] === undefined) { visit(w); low[v] = Math.min(low[v], low[w]); }
        else if (onStack[w]) { low[v] = Math.min(low[v], order[w]); }
      });
      if (low[v] === order[v]) {
        var w;
        do { w = stack.pop(); onStack[w] = false; component[w] = v; } while (w !== v);
      }
    }
    for (var v = 0; v < names.length; v++) { if (order[v] === undefined) { visit(v); } }
    var cyclic = {};
    Object.keys(imports).forEach(function (key) {
      var pair = key.split(">").map(Number);
      if (isService(pair[0]) && isService(pair[1]) && component[pair[0]] === component[pair[1]]) { cyclic[key] = true; }
    });
    return cyclic;
  }

  // ---------------------------------------------------------------- layout
  var canvas = document.getElementById("review-canvas");
  var context = canvas.getContext("2d");
  var position = [];       // service -> {x, y}, in world units
  var view = {x: 0, y: 0, scale: 1};
  var expanded = {};       // service index -> true
  var selected = -1;       // module index
  var hovered = null;
  var visible = [];        // drawn module dots: {module, x, y, r}
  var groupsShown = [];    // drawn sub-package discs: {group, members, x, y, r}
  var openGroups = {};     // sub-package name -> true

  // Fruchterman-Reingold, a fixed number of rounds from a circle: the same data, the same picture.
  // The kernel's edges pull nothing (everyone imports it); gravity keeps loose services near.
  function layoutServices() {
    var count = names.length, loc = serviceLoc(assign), edges = serviceEdges(assign).imports;
    for (var i = position.length; i < count; i++) {
      var angle = 2 * Math.PI * i / Math.max(count, 1);
      position.push({x: 300 * Math.cos(angle), y: 300 * Math.sin(angle)});
    }
    var heaviest = 1, pairs = [];
    Object.keys(edges).forEach(function (key) {
      var pair = key.split(">").map(Number);
      if (isService(pair[0]) && isService(pair[1])) {
        pairs.push([pair[0], pair[1], Math.log(edges[key]) + 1]);
        heaviest = Math.max(heaviest, Math.log(edges[key]) + 1);
      }
    });
    var rounds = 300;
    for (var step = 0; step < rounds; step++) {
      var heat = 60 * (1 - step / rounds) + 0.5, shift = position.map(function () { return {x: 0, y: 0}; });
      for (var a = 0; a < count; a++) {
        for (var b = a + 1; b < count; b++) {
          var dx = position[a].x - position[b].x, dy = position[a].y - position[b].y;
          var distance = Math.sqrt(dx * dx + dy * dy) + 0.01;
          var room = radius(loc[a]) + radius(loc[b]) + 70;
          if (distance > 4 * room) { continue; }  // far apart: no push, so loose services stay near
          var push = room * room / distance;
          shift[a].x += dx / distance * push; shift[a].y += dy / distance * push;
          shift[b].x -= dx / distance * push; shift[b].y -= dy / distance * push;
        }
      }
      pairs.forEach(function (pair) {
        var p = position[pair[0]], q = position[pair[1]];
        var dx = p.x - q.x, dy = p.y - q.y, distance = Math.sqrt(dx * dx + dy * dy) + 0.01;
        var pull = distance * distance / 400 * (0.2 + 0.8 * pair[2] / heaviest);
        shift[pair[0]].x -= dx / distance * pull; shift[pair[0]].y -= dy / distance * pull;
        shift[pair[1]].x += dx / distance * pull; shift[pair[1]].y += dy / distance * pull;
      });
      position.forEach(function (p, i) {
        if (i >= count) { return; }
        shift[i].x -= p.x * 0.05; shift[i].y -= p.y * 0.05;  // gravity towards the middle
        var length = Math.sqrt(shift[i].x * shift[i].x + shift[i].y * shift[i].y) + 0.01;
        p.x += shift[i].x / length * Math.min(length, heat); p.y += shift[i].y / length * Math.min(length, heat);
      });
    }
  }

  function radius(loc) { return 6 + Math.sqrt(loc) / 4; }

  function fit() {
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, loc = serviceLoc(assign);
    position.forEach(function (p, i) {
      var r = radius(loc[i]) + 40;  // room for the label above the disc
      minX = Math.min(minX, p.x - r); maxX = Math.max(maxX, p.x + r);
      minY = Math.min(minY, p.y - r); maxY = Math.max(maxY, p.y + r);
    });
    if (!isFinite(minX)) { return; }
    view.scale = Math.min(canvas.width / (maxX - minX), canvas.height / (maxY - minY));
    view.x = canvas.width / 2 - view.scale * (minX + maxX) / 2;
    view.y = canvas.height / 2 - view.scale * (minY + maxY) / 2;
  }

  // Where the items of an open service sit: a sunflower spiral around the service.
  function spiral(centre, list, spacing, size) {
    return list.map(function (item, k) {
      var angle = k * 2.39996, distance = spacing * Math.sqrt(k + 1) + 2 * spacing;
      return {item: item, x: centre.x + distance * Math.cos(angle), y: centre.y + distance * Math.sin(angle),
              r: size(item)};
    });
  }

  // What an open service shows: its modules or, past GROUP_AT modules, its sub-packages one level
  // below the package all its modules share, each a disc that opens into its own modules.
  var GROUP_AT = 60;
  function items(members) {
    if (members.length <= GROUP_AT) { return members.map(function (m) { return {module: m}; }); }
    var common = D.modules[members[0]].split("."), depth = common.length;
    members.forEach(function (m) {
      var parts = D.modules[m].split("."), k = 0;
      while (k < depth && k < parts.length && parts[k] === common[k]) { k++; }
      depth = k;
    });
    var groups = {};
    members.forEach(function (m) {
      var parts = D.modules[m].split("."), key = parts.slice(0, Math.min(parts.length, depth + 1)).join(".");
      (groups[key] = groups[key] || []).push(m);
    });
    return Object.keys(groups).sort().map(function (key) {
      return groups[key].length === 1 ? {module: groups[key][0]} : {group: key, members: groups[key]};
    });
  }

  function moduleSize(item) { return 2 + Math.sqrt(D.loc[item.module]) / 6; }

  // ---------------------------------------------------------------- drawing
  var colours = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
                 "#e15759", "#bab0ac"];
  function colour(s) { return s === kernelIndex ? "#888" : colours[s % colours.length]; }

  function filters() {
    return {
      imports: document.getElementById("review-show-imports").checked,
      cochange: document.getElementById("review-show-cochange").checked,
      data: document.getElementById("review-show-data").checked,
      min: Number(document.getElementById("review-min-weight").value) || 0
    };
  }

  var pending = false;
  function draw() {
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(function () { pending = false; paint(); });
  }

  var currentEdges = null;  // serviceEdges(assign), redone after each change of the assignment

  function paint() {
    currentEdges = currentEdges || serviceEdges(assign);
    var c = context, edges = currentEdges, show = filters(), loc = serviceLoc(assign);
    var sizes = serviceSizes(assign);
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.clearRect(0, 0, canvas.width, canvas.height);
    c.setTransform(view.scale, 0, 0, view.scale, view.x, view.y);
    function line(table, key, style, dash, width) {
      var pair = key.split(">").map(Number), p = position[pair[0]], q = position[pair[1]];
      c.strokeStyle = style; c.setLineDash(dash); c.lineWidth = width / view.scale;
      c.beginPath(); c.moveTo(p.x, p.y); c.lineTo(q.x, q.y); c.stroke();
    }
    c.globalAlpha = Object.keys(expanded).length ? 0.35 : 1;  // an open service's modules come first
    if (show.imports) {
      Object.keys(edges.imports).forEach(function (key) {
        var n = edges.imports[key];
        if (n < show.min) { return; }
        var pair = key.split(">").map(Number), kernel = pair[0] === kernelIndex || pair[1] === kernelIndex;
        line(edges.imports, key, edges.cyclic[key] ? "rgba(214,39,40,0.75)"
             : kernel ? "rgba(120,120,120,0.12)" : "rgba(80,80,80,0.4)", [], Math.min(1 + Math.sqrt(n) / 2, 12));
      });
    }
    if (show.cochange) {
      Object.keys(edges.cochange).forEach(function (key) {
        if (edges.cochange[key] >= show.min) { line(edges.cochange, key, "rgba(44,160,44,0.6)", [6, 4], 1.5); }
      });
    }
    if (show.data) {
      Object.keys(edges.data).forEach(function (key) {
        if (edges.data[key] >= show.min) { line(edges.data, key, "rgba(148,103,189,0.8)", [2, 3], 2); }
      });
    }
    c.setLineDash([]);
    c.globalAlpha = 1;
    visible = []; groupsShown = [];
    var members = names.map(function () { return []; });
    for (var m = 0; m < N; m++) { if (assign[m] >= 0) { members[assign[m]].push(m); } }
    names.forEach(function (name, s) {
      if (!sizes[s]) { return; }
      var p = position[s];
      c.globalAlpha = expanded[s] ? 0.15 : 0.85;
      c.fillStyle = colour(s);
      c.beginPath(); c.arc(p.x, p.y, radius(loc[s]), 0, 2 * Math.PI); c.fill();
      c.globalAlpha = 1;
      if (expanded[s]) { drawItems(c, s, members[s]); }
    });
    if (selected >= 0) { drawSelection(c); }
    c.fillStyle = "#111"; c.font = (12 / view.scale) + "px system-ui, sans-serif"; c.textAlign = "center";
    names.forEach(function (name, s) {
      if (sizes[s]) { c.fillText(name + " (" + sizes[s] + ")", position[s].x, position[s].y - radius(loc[s]) - 4 / view.scale); }
    });
  }

  function drawItems(c, s, members) {
    spiral(position[s], items(members), 9, function (item) {
      return item.module !== undefined ? moduleSize(item) : 3 + 1.2 * Math.sqrt(item.members.length);
    }).forEach(function (place) {
      var item = place.item;
      if (item.module !== undefined) { dot(c, s, item.module, place.x, place.y, place.r); return; }
      var open = openGroups[item.group] || item.members.indexOf(selected) >= 0;
      groupsShown.push({group: item.group, members: item.members, x: place.x, y: place.y, r: place.r});
      c.globalAlpha = open ? 0.2 : 0.6; c.fillStyle = colour(s);
      c.beginPath(); c.arc(place.x, place.y, place.r, 0, 2 * Math.PI); c.fill();
      c.globalAlpha = 1;
      if (place.r * view.scale > 6) {  // big enough on screen to name
        c.fillStyle = "#333"; c.font = (10 / view.scale) + "px system-ui, sans-serif"; c.textAlign = "center";
        c.fillText(item.group.split(".").pop() + " (" + item.members.length + ")", place.x, place.y - place.r - 2 / view.scale);
      }
      if (open) {
        spiral(place, item.members.map(function (m) { return {module: m}; }), 4, moduleSize).forEach(function (inner) {
          dot(c, s, inner.item.module, inner.x, inner.y, inner.r * 0.7);
        });
      }
    });
  }

  function dot(c, s, m, x, y, r) {
    visible.push({module: m, x: x, y: y, r: r});
    c.fillStyle = m === selected ? "#000" : colour(s);
    c.beginPath(); c.arc(x, y, r, 0, 2 * Math.PI); c.fill();
  }

  function placeOf(m) {
    for (var i = 0; i < visible.length; i++) { if (visible[i].module === m) { return visible[i]; } }
    return position[assign[m]];
  }

  function drawSelection(c) {
    var here = placeOf(selected);
    c.lineWidth = 1 / view.scale;
    out[selected].forEach(function (e) { arrow(c, here, placeOf(edgeTo[e]), "rgba(31,119,180,0.8)"); });
    inn[selected].forEach(function (e) { arrow(c, placeOf(edgeFrom[e]), here, "rgba(255,127,14,0.8)"); });
    c.strokeStyle = "#000"; c.lineWidth = 2 / view.scale;
    c.beginPath(); c.arc(here.x, here.y, (here.r || 6) + 3 / view.scale, 0, 2 * Math.PI); c.stroke();
  }

  function arrow(c, p, q, style) {
    c.strokeStyle = style; c.beginPath(); c.moveTo(p.x, p.y); c.lineTo(q.x, q.y); c.stroke();
  }

  // ---------------------------------------------------------------- the side panel
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }

  var baseline = figures(proposal, null);
  var lastItem = null, lastCostBefore = null;

  function showFigures() {
    var now = figures(assign, lastItem), body = clear(document.getElementById("review-figures"));
    function row(id, label, before, after, value) {
      var tr = el("tr");
      tr.appendChild(el("td", label));
      tr.appendChild(el("td", before, "number"));
      var cell = el("td", after, "number");
      cell.id = id; cell.setAttribute("data-value", value === null || value === undefined ? "" : String(value));
      tr.appendChild(cell);
      body.appendChild(tr);
    }
    row("fig-crossing", "crossing import statements", baseline.crossing, now.crossing, now.crossing);
    row("fig-icp", "ICP (lower is better)", baseline.icp.toFixed(4), now.icp.toFixed(4), now.icp);
    if (now.data !== null) { row("fig-data", "crossing data links", baseline.data, now.data, now.data); }
    row("fig-largest", "largest service", baseline.largest + " (" + baseline.largestModules + ")",
        now.largest + " (" + now.largestModules + ")", now.largest + ":" + now.largestModules);
    if (now.cost !== null) {
      row("fig-cost", "moved item's cost (change points)", lastCostBefore, now.cost, now.cost);
    }
    document.getElementById("review-moves").textContent = history.length
      ? history.map(function (move) { return move.label; }).join("\n") : "No move yet.";
    document.getElementById("review-undo").disabled = history.length === 0;
  }

  function showModule(m) {
    var box = clear(document.getElementById("review-details"));
    if (m < 0) { box.appendChild(el("p", "Click a service to open it, then a module.", "muted")); return; }
    box.appendChild(el("h4", D.modules[m]));
    var facts = el("ul");
    facts.appendChild(el("li", "service: " + names[assign[m]] + (assign[m] !== proposal[m] ? " (proposed: " + names[proposal[m]] + ")" : "")));
    facts.appendChild(el("li", "file: " + D.paths[m] + ", " + D.loc[m] + " lines"));
    if (D.confidence && D.confidence[m] >= 0) {
      facts.appendChild(el("li", "confidence: " + (D.confidence[m] / 1000).toFixed(2)
                           + " (share of the consensus runs that put it with this service)"));
    } else if (D.seeds) {
      facts.appendChild(el("li", "stability: elsewhere under " + (moving[m] || 0) + " of " + D.seeds + " other seeds"));
    }
    if (D.rank[m]) {
      facts.appendChild(el("li", "brittleness: rank " + D.rank[m] + ", score " + (D.score[m] / 1000).toFixed(3)));
    }
    box.appendChild(facts);
    (reasons[m] || []).forEach(function (reason) { box.appendChild(el("p", reason, "reason")); });
    box.appendChild(sites("Imports out", out[m], function (e) { return edgeTo[e]; }, m));
    box.appendChild(sites("Imports in", inn[m], function (e) { return edgeFrom[e]; }, -1));
    fillMoveChoices(m);
  }

  function sites(title, list, other, fileOf) {
    var details = el("details"), summary = el("summary", title + " (" + list.length + " modules)");
    details.appendChild(summary);
    var ul = el("ul");
    list.slice().sort(function (a, b) { return D.modules[other(a)] < D.modules[other(b)] ? -1 : 1; })
      .forEach(function (e) {
        var who = other(e), file = D.paths[fileOf >= 0 ? fileOf : who];
        var li = el("li", D.modules[who] + " [" + names[assign[who]] + "]  " + D.lines[e].map(function (line) {
          return file + ":" + line; }).join(", "));
        var mine = assign[edgeFrom[e] === who ? edgeTo[e] : edgeFrom[e]];  // a boundary: not into the kernel
        li.className = assign[who] !== mine && isService(assign[who]) && isService(mine) ? "crossing" : "";
        ul.appendChild(li);
      });
    details.appendChild(ul);
    details.open = list.length <= 12;
    return details;
  }

  function fillMoveChoices(m) {
    var what = clear(document.getElementById("review-move-what"));
    var parts = D.modules[m].split(".");
    var option = el("option", "the module " + D.modules[m]);
    option.value = D.modules[m] + "|module";
    what.appendChild(option);
    for (var depth = parts.length - (isPackage(m) ? 0 : 1); depth >= 2; depth--) {
      var prefix = parts.slice(0, depth).join("."), count = subpackage(prefix).length;
      if (count > 1) {
        option = el("option", "the sub-package " + prefix + " (" + count + " modules)");
        option.value = prefix + "|package";
        what.appendChild(option);
      }
    }
    document.getElementById("review-move-hint").hidden = true;
    var to = document.getElementById("review-move-to"), chosen = to.value, sizes = serviceSizes(assign);
    clear(to);
    names.map(function (name, s) { return s; })
      .filter(function (s) { return s !== kernelIndex && (sizes[s] > 0 || s >= D.services.length); })
      .sort(function (a, b) { return names[a] < names[b] ? -1 : 1; })
      .forEach(function (s) { var o = el("option", names[s]); o.value = String(s); to.appendChild(o); });
    var kernel = el("option", KERNEL + " (the kernel)"); kernel.value = String(kernelIndex < 0 ? "kernel" : kernelIndex);
    to.appendChild(kernel);
    var fresh = el("option", "a new service named below"); fresh.value = "new"; to.appendChild(fresh);
    if ([].some.call(to.options, function (option) { return option.value === chosen; })) { to.value = chosen; }
  }

  function isPackage(m) { return /__init__\.py$/.test(D.paths[m]); }

  function subpackage(prefix) {
    var found = [];
    for (var m = 0; m < N; m++) {
      var name = D.modules[m];
      if (name === prefix || name.slice(0, prefix.length + 1) === prefix + ".") { found.push(m); }
    }
    return found;
  }

  // ---------------------------------------------------------------- moves
  function serviceIndex(name) {
    var s = names.indexOf(name);
    if (s >= 0) { return s; }
    names.push(name);
    if (name === KERNEL) { kernelIndex = names.length - 1; }
    layoutNew(names.length - 1);
    return names.length - 1;
  }

  function layoutNew(s) {
    var p = selected >= 0 ? position[assign[selected]] : {x: 0, y: 0};
    position[s] = {x: p.x + 120, y: p.y + 120};
  }

  /** Move `modules` (indexes) to the service named `target`; returns the figures after.
   *  `pattern` names them in the pins (a module, or a sub-package as `name.*`); null: each module. */
  function move(modules, target, pattern) {
    var to = serviceIndex(target);
    var from = modules.map(function (m) { return assign[m]; });
    if (from.every(function (s) { return s === to; })) { return figures(assign, lastItem); }  // already there
    lastCostBefore = itemCost(assign, modules);
    modules.forEach(function (m) { assign[m] = to; });
    var pins = pattern ? [{pattern: pattern, modules: modules, to: to, from: from[0]}]
      : modules.map(function (m, k) { return {pattern: D.modules[m], modules: [m], to: to, from: from[k]}; });
    history.push({modules: modules, from: from, item: true, before: lastCostBefore, pins: pins,
                  label: (pattern || modules.length + " modules") + " -> " + target});
    lastItem = modules;
    changed();
    return figures(assign, modules);
  }

  function undo() {
    var last = history.pop();
    if (!last) { return; }
    last.modules.forEach(function (m, k) { assign[m] = last.from[k]; });
    var previous = history[history.length - 1];
    lastItem = previous && previous.item ? previous.modules : null;
    lastCostBefore = previous && previous.item ? previous.before : null;
    changed();
  }

  function changed() {
    currentEdges = null;
    showFigures();
    showModule(selected);
    showExport();
    draw();
  }

  function moveFromForm() {
    if (selected < 0) { return; }
    var what = document.getElementById("review-move-what").value.split("|");
    var choice = document.getElementById("review-move-to").value, target;
    if (choice === "new") {
      target = document.getElementById("review-new-name").value.trim();
      if (!target) { document.getElementById("review-new-name").focus(); return; }
    } else {
      target = choice === "kernel" ? KERNEL : names[Number(choice)];
    }
    var modules = what[1] === "module" ? [byName[what[0]]] : subpackage(what[0]);
    move(modules, target, what[1] === "module" ? what[0] : what[0] + ".*");
  }

  // ---------------------------------------------------------------- export
  function assignmentText() {
    var services = {};
    D.modules.forEach(function (name, m) { if (assign[m] >= 0) { services[name] = names[assign[m]]; } });
    return JSON.stringify({schema: "decomposer-assignment/1", repository_head: D.head, services: services}, null, 1) + "\n";
  }

  function pinsText() {
    if (!history.length) { return "# no move yet: the proposal needs no pin"; }
    var lines = ["[tool.decomposer]", "# approximate: pins guide the detection, the assignment file is exact",
                 "together = ["], apart = [];
    history.forEach(function (move) {
      move.pins.forEach(function (pin) {
        var anchor = firstOther(pin.to, pin.modules), left = firstOther(pin.from, pin.modules);
        if (anchor >= 0) { lines.push("    [" + JSON.stringify(pin.pattern) + ", " + JSON.stringify(D.modules[anchor]) + "],"); }
        if (left >= 0) { apart.push("    [" + JSON.stringify(pin.pattern) + ", " + JSON.stringify(D.modules[left]) + "],"); }
      });
    });
    lines.push("]", "apart = [");
    return lines.concat(apart, ["]"]).join("\n");
  }

  function firstOther(s, moved) {
    var skip = new Set(moved);
    for (var m = 0; m < N; m++) { if (assign[m] === s && !skip.has(m)) { return m; } }
    return -1;
  }

  function showExport() {
    document.getElementById("review-pins").textContent = pinsText();
  }

  function exportFile() {
    var text = assignmentText();
    document.getElementById("review-export").value = text;
    var link = document.getElementById("review-download");
    if (link.href) { URL.revokeObjectURL(link.href); }
    link.href = URL.createObjectURL(new Blob([text], {type: "application/json"}));
    link.download = "assignment.json";
    link.hidden = false;
    link.click();
  }

  /** Apply an exported assignment (its text) as one move that Undo takes back; says what did not fit. */
  function loadAssignment(text, source) {
    var result = document.getElementById("review-load-result"), document_;
    try { document_ = JSON.parse(text); } catch (error) { result.textContent = source + " is not JSON: " + error.message; return; }
    if (!document_ || document_.schema !== "decomposer-assignment/1" || typeof document_.services !== "object") {
      result.textContent = source + " is not a decomposer assignment (schema decomposer-assignment/1)";
      return;
    }
    var modules = [], targets = [], unknown = 0;
    Object.keys(document_.services).forEach(function (name) {
      var target = document_.services[name];
      if (!(name in byName) || typeof target !== "string" || !target.trim()) { unknown += 1; return; }
      if (names[assign[byName[name]]] !== target.trim()) { modules.push(byName[name]); targets.push(target.trim()); }
    });
    var from = modules.map(function (m) { return assign[m]; });
    var to = targets.map(serviceIndex);
    modules.forEach(function (m, k) { assign[m] = to[k]; });
    if (modules.length) {
      history.push({modules: modules, from: from, item: false, label: "loaded " + source + " (" + modules.length + " modules)",
                    pins: modules.map(function (m, k) { return {pattern: D.modules[m], modules: [m], to: to[k], from: from[k]}; })});
      lastItem = null; lastCostBefore = null;
    }
    result.textContent = source + ": " + modules.length + (modules.length === 1 ? " module" : " modules") + " moved" +
      (unknown ? ", " + unknown + " names left out (not in this analysis)" : "") +
      (document_.repository_head && document_.repository_head !== D.head ? "; made against another HEAD" : "");
    changed();
  }

  // ---------------------------------------------------------------- search
  function search() {
    var query = document.getElementById("review-search").value.trim().toLowerCase();
    var list = clear(document.getElementById("review-results"));
    if (query.length < 2) { return; }
    var shown = 0;
    for (var m = 0; m < N && shown < 15; m++) {
      if (D.modules[m].toLowerCase().indexOf(query) >= 0) {
        var button = el("button", D.modules[m]);
        button.type = "button";
        button.setAttribute("data-module", String(m));
        list.appendChild(button);
        shown++;
      }
    }
  }

  // Centre the service `s` and zoom in (never out) until its open spiral fills a good part of the canvas.
  function focus(s) {
    var members = serviceSizes(assign)[s], reach = 9 * Math.sqrt(Math.min(members, GROUP_AT) + 1) + 40;
    view.scale = Math.max(view.scale, Math.min(canvas.height * 0.4 / reach, 8));
    view.x = canvas.width / 2 - view.scale * position[s].x;
    view.y = canvas.height / 2 - view.scale * position[s].y;
  }

  function select(m) {
    if (m >= 0 && m !== selected && !expanded[assign[m]]) { expanded[assign[m]] = true; focus(assign[m]); }
    selected = m;
    if (m >= 0) { expanded[assign[m]] = true; }
    showModule(m);
    draw();
  }

  // ---------------------------------------------------------------- pointer
  function world(event) {
    var box = canvas.getBoundingClientRect();
    var x = (event.clientX - box.left) * canvas.width / box.width, y = (event.clientY - box.top) * canvas.height / box.height;
    return {x: (x - view.x) / view.scale, y: (y - view.y) / view.scale};
  }

  function hit(point) {
    for (var i = visible.length - 1; i >= 0; i--) {
      var v = visible[i], dx = point.x - v.x, dy = point.y - v.y, r = Math.max(v.r, 4 / view.scale);
      if (dx * dx + dy * dy <= r * r) { return {module: v.module}; }
    }
    for (var g = groupsShown.length - 1; g >= 0; g--) {
      var shown = groupsShown[g], gx = point.x - shown.x, gy = point.y - shown.y;
      if (gx * gx + gy * gy <= shown.r * shown.r) { return {group: shown}; }
    }
    var loc = serviceLoc(assign), sizes = serviceSizes(assign);
    for (var s = names.length - 1; s >= 0; s--) {
      if (!sizes[s]) { continue; }
      var p = position[s], ex = point.x - p.x, ey = point.y - p.y, rr = radius(loc[s]);
      if (ex * ex + ey * ey <= rr * rr) { return {service: s}; }
    }
    return hitEdge(point);
  }

  // The drawn import line between two services nearest the point, within a few pixels.
  function hitEdge(point) {
    var show = filters(), best = null, reach = 5 / view.scale;
    if (!show.imports || !currentEdges) { return null; }
    Object.keys(currentEdges.imports).forEach(function (key) {
      if (currentEdges.imports[key] < show.min) { return; }
      var pair = key.split(">").map(Number), p = position[pair[0]], q = position[pair[1]];
      var dx = q.x - p.x, dy = q.y - p.y, length = dx * dx + dy * dy || 1;
      var t = Math.max(0, Math.min(1, ((point.x - p.x) * dx + (point.y - p.y) * dy) / length));
      var ex = p.x + t * dx - point.x, ey = p.y + t * dy - point.y, distance = Math.sqrt(ex * ex + ey * ey);
      if (distance <= reach && (!best || distance < best.distance)) {
        best = {edge: [Math.min(pair[0], pair[1]), Math.max(pair[0], pair[1])], distance: distance};
      }
    });
    return best;
  }

  function statements(s, t) { return currentEdges.imports[s + ">" + t] || 0; }

  /** The import statements between two services, each way, with file:line, in the details panel. */
  function showEdge(pair) {
    var box = clear(document.getElementById("review-details"));
    box.appendChild(el("h4", names[pair[0]] + " \u2194 " + names[pair[1]]));
    if (currentEdges.cyclic[pair[0] + ">" + pair[1]] || currentEdges.cyclic[pair[1] + ">" + pair[0]]) {
      box.appendChild(el("p", "In an import cycle between services: the plan cuts some of these.", "reason"));
    }
    [[pair[0], pair[1]], [pair[1], pair[0]]].forEach(function (way) {
      var list = [];
      for (var e = 0; e < E; e++) { if (assign[edgeFrom[e]] === way[0] && assign[edgeTo[e]] === way[1]) { list.push(e); } }
      var details = el("details"), ul = el("ul");
      details.appendChild(el("summary", names[way[0]] + " imports " + names[way[1]] + ": " + statements(way[0], way[1]) +
                             " statements"));
      list.forEach(function (e) {
        ul.appendChild(el("li", D.modules[edgeFrom[e]] + " \u2192 " + D.modules[edgeTo[e]] + "  " +
          D.lines[e].map(function (line) { return D.paths[edgeFrom[e]] + ":" + line; }).join(", ")));
      });
      details.appendChild(ul);
      details.open = list.length <= 12;
      box.appendChild(details);
    });
  }

  function tooltip(found, event) {
    var tip = document.getElementById("review-tip");
    if (!found) { tip.hidden = true; return; }
    var text;
    if (found.edge) {
      var a = found.edge[0], b = found.edge[1];
      text = names[a] + " \u2192 " + names[b] + ": " + statements(a, b) + " import statements\n" +
        names[b] + " \u2192 " + names[a] + ": " + statements(b, a) +
        (currentEdges.cyclic[a + ">" + b] || currentEdges.cyclic[b + ">" + a] ? "\nin an import cycle" : "") +
        "\nclick to list them";
    } else if (found.group) {
      var lines = found.group.members.reduce(function (sum, m) { return sum + D.loc[m]; }, 0);
      text = found.group.group + ".*\n" + found.group.members.length + " modules, " + lines + " lines\nclick to " +
        (openGroups[found.group.group] ? "close" : "open");
    } else if (found.module !== undefined) {
      var m = found.module;
      text = D.modules[m] + "\n" + D.loc[m] + " lines, service " + names[assign[m]] +
        (D.rank[m] ? "\nbrittleness rank " + D.rank[m] : "");
    } else {
      var s = found.service, sizes = serviceSizes(assign), loc = serviceLoc(assign), edges = serviceEdges(assign).imports;
      var outbound = 0, inbound = 0;
      Object.keys(edges).forEach(function (key) {
        var pair = key.split(">").map(Number);
        if (pair[0] === s && isService(pair[1])) { outbound += edges[key]; }
        if (pair[1] === s && isService(pair[0])) { inbound += edges[key]; }
      });
      text = names[s] + (s === kernelIndex ? " (the kernel)" : "") + "\n" + sizes[s] + " modules, " + loc[s] +
        " lines\nimport statements into other services: " + outbound + "\nfrom other services: " + inbound +
        "\nclick to " + (expanded[s] ? "close" : "open");
    }
    tip.textContent = text;
    tip.style.left = (event.pageX + 12) + "px"; tip.style.top = (event.pageY + 12) + "px";
    tip.hidden = false;
  }

  var drag = null;
  canvas.addEventListener("mousedown", function (event) { drag = {x: event.clientX, y: event.clientY, moved: false}; });
  window.addEventListener("mouseup", function () { setTimeout(function () { drag = null; }, 0); });
  canvas.addEventListener("mousemove", function (event) {
    if (drag && event.buttons) {
      var box = canvas.getBoundingClientRect(), ratio = canvas.width / box.width;
      view.x += (event.clientX - drag.x) * ratio; view.y += (event.clientY - drag.y) * ratio;
      drag.moved = drag.moved || Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > 2;
      drag.x = event.clientX; drag.y = event.clientY;
      draw();
      return;
    }
    tooltip(hit(world(event)), event);
  });
  canvas.addEventListener("mouseleave", function () { document.getElementById("review-tip").hidden = true; });
  canvas.addEventListener("click", function (event) {
    if (drag && drag.moved) { return; }
    var found = hit(world(event));
    if (!found) { return; }
    if (found.module !== undefined) { select(found.module); return; }
    if (found.edge) { showEdge(found.edge); return; }
    if (found.group) {
      if (openGroups[found.group.group]) { delete openGroups[found.group.group]; } else { openGroups[found.group.group] = true; }
      draw();
      return;
    }
    if (expanded[found.service]) { delete expanded[found.service]; } else { expanded[found.service] = true; focus(found.service); }
    draw();
  });
  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = canvas.getBoundingClientRect();
    var x = (event.clientX - box.left) * canvas.width / box.width, y = (event.clientY - box.top) * canvas.height / box.height;
    var factor = Math.exp(-event.deltaY / 500);
    view.x = x - (x - view.x) * factor; view.y = y - (y - view.y) * factor; view.scale *= factor;
    draw();
  }, {passive: false});

  document.getElementById("review-search").addEventListener("input", search);
  document.getElementById("review-results").addEventListener("click", function (event) {
    var m = event.target.getAttribute("data-module");
    if (m !== null) { select(Number(m)); }
  });
  document.getElementById("review-move").addEventListener("click", moveFromForm);
  document.getElementById("review-undo").addEventListener("click", undo);
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if ((event.ctrlKey || event.metaKey) && event.key === "z" && !typing && history.length) {
      event.preventDefault();
      undo();
    }
  });
  document.getElementById("review-export-button").addEventListener("click", exportFile);
  document.getElementById("review-fit").addEventListener("click", function () { fit(); draw(); });
  document.getElementById("review-load").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () { loadAssignment(String(reader.result), file.name); event.target.value = ""; };
    reader.readAsText(file);
  });
  ["review-show-imports", "review-show-cochange", "review-show-data", "review-min-weight"].forEach(function (id) {
    document.getElementById(id).addEventListener("input", draw);
  });

  layoutServices();
  fit();
  showFigures();
  showModule(-1);
  showExport();
  paint();
  performance.mark("review-ready");  // benchmarks/browser_review.py reads it
  // For scripts and tests: the same operations the controls perform.
  window.decomposerReview = {
    figures: function () { return figures(assign, lastItem); },
    select: function (name) { select(byName[name]); },
    expand: function (service) { expanded[names.indexOf(service)] = true; paint(); return visible.length; },
    move: function (modules, target) {
      return move(modules.map(function (name) { return byName[name]; }), target, modules.length === 1 ? modules[0] : null);
    },
    undo: undo,
    load: loadAssignment,
    showEdge: function (a, b) { paint(); showEdge([names.indexOf(a), names.indexOf(b)]); },
    assignment: assignmentText,
    /** Where the service named `service` is drawn, in CSS pixels from the viewport's corner. */
    point: function (service) {
      var p = position[names.indexOf(service)], box = canvas.getBoundingClientRect();
      return {x: box.left + (view.x + view.scale * p.x) * box.width / canvas.width,
              y: box.top + (view.y + view.scale * p.y) * box.height / canvas.height};
    },
    opened: function () { return visible.length + groupsShown.length; },
    serviceOf: function (name) { return names[assign[byName[name]]]; }
  };
  document.getElementById("review").setAttribute("data-ready", "yes");
})();
