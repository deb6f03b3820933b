// The insights' charts: every [data-waggle-chart] element names a JSON script element (its
// chart spec, built by waggle/insights/pictures.py) that becomes an Apache ECharts picture and a
// "Show the figures" table, so the numbers can be read without the picture (screen readers, print,
// copying). Works on page load and after HTMX swaps; the same file is inlined in the HTML report.
(function () {
  "use strict";

  // Honey first (Waggle's accent), then colors that stay apart for color-blind readers (Okabe-Ito).
  const PALETTE = ["#b7791f", "#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#6b7280",
                   "#e69f00", "#1f2937", "#f0e442"];
  const HEAT = ["#fdf6e3", "#f0d9a8", "#dda74f", "#b7791f", "#6e4810"];
  const HIDDEN = "#d5d9e0";
  const HIDDEN_STRIPE = "#9aa3af";
  const INK = "#1f2937";
  const INK_SOFT = "#5b6472";

  const lang = document.documentElement.lang || undefined;
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const days = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric",
                                               timeZone: "UTC" });
  const shortDays = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short",
                                                    timeZone: "UTC" });
  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function figure(spec, value) {
    return value === null ? spec.hidden_label : numbers.format(value);
  }

  function week(iso, format) {
    const [y, m, d] = iso.split("-").map(Number);
    return (format || days).format(new Date(Date.UTC(y, m - 1, d)));
  }

  // Tooltips are HTML: every name in them comes from people (departments, display names).
  function escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function make(tag, attributes, text) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // --- the figures, as tables ------------------------------------------------------------------

  // head: the column headings; rows: [row heading, ...cells], a cell null when hidden.
  function table(spec, caption, head, rows) {
    const t = make("table", { class: "waggle-chart-table" });
    t.append(make("caption", {}, caption));
    const headRow = make("tr");
    head.forEach((name, i) => {
      // A column of figures lines its heading up with them, on the right.
      const figures = i > 0 && rows.every((row) => row[i] === null || typeof row[i] === "number");
      const attributes = figures ? { scope: "col", class: "chart-number" } : { scope: "col" };
      headRow.append(make("th", attributes, name));
    });
    t.appendChild(make("thead")).append(headRow);
    const body = t.appendChild(make("tbody"));
    for (const [label, ...cells] of rows) {
      const tr = body.appendChild(make("tr"));
      tr.append(make("th", { scope: "row" }, label));
      for (const cell of cells) {
        if (cell === null) {
          tr.append(make("td", { class: "chart-hidden" }, spec.hidden_label));
        } else if (typeof cell === "number") {
          tr.append(make("td", { class: "chart-number" }, figure(spec, cell)));
        } else {
          tr.append(make("td", {}, cell));
        }
      }
    }
    return t;
  }

  // What the dates of a line chart stand for: the first day of a week, or one day.
  function periodLabel(spec) {
    return spec.per === "day" ? "Day" : "Week of";
  }

  function unitSuffix(spec) {
    return spec.unit ? ` (${spec.unit})` : "";
  }

  const TABLES = {
    line(spec) {
      const head = [periodLabel(spec), ...spec.series.map((s) => s.name)];
      return [table(spec, spec.title + unitSuffix(spec), head,
        spec.weeks.map((iso, i) => [week(iso), ...spec.series.map((s) => s.values[i])]))];
    },
    heatmap(spec) {
      const corner = [spec.row_label, spec.col_label].filter(Boolean).join(" \u2192 ");
      return [table(spec, spec.title + unitSuffix(spec), [corner, ...spec.cols],
        spec.rows.map((row, i) => [row, ...spec.values[i]]))];
    },
    network(spec) {
      const label = new Map(spec.nodes.map((n) => [n.id, n.label]));
      const nodes = [...spec.nodes].sort((a, b) => b.size - a.size);
      const edges = [...spec.edges].sort((a, b) => b.weight - a.weight);
      return [
        table(spec, `${spec.title}: who is in it`, ["Name", "Group", spec.size_label],
          nodes.map((n) => [n.label, n.group, n.size])),
        table(spec, `${spec.title}: the ties (from \u2192 to)`, ["From", "To", spec.weight_label],
          edges.map((e) => [label.get(e.source), label.get(e.target), e.weight])),
      ];
    },
  };

  const DESCRIPTIONS = {
    line: (spec) => `line chart of ${spec.series.length} series over ${spec.weeks.length} ${spec.per === "day" ? "days" : "weeks"}`,
    heatmap(spec) {
      const hidden = spec.values.flat().filter((v) => v === null).length;
      return `heat map of ${spec.rows.length} rows by ${spec.cols.length} columns` +
        (hidden ? `, ${hidden} ${hidden === 1 ? "cell" : "cells"} ${spec.hidden_label}` : "");
    },
    network: (spec) => `network of ${spec.nodes.length} nodes and ${spec.edges.length} ties`,
  };

  // --- the pictures, as ECharts options -----------------------------------------------------

  const OPTIONS = {
    line(spec) {
      const many = spec.series.length > 1;
      const oneYear = spec.weeks.length === 0 ||
        spec.weeks[0].slice(0, 4) === spec.weeks[spec.weeks.length - 1].slice(0, 4);
      return {
        color: PALETTE,
        tooltip: {
          trigger: "axis", confine: true,
          formatter(points) {
            const i = points[0].dataIndex;
            return `<strong>${periodLabel(spec)} ${escape(week(spec.weeks[i]))}</strong><br>` +
              spec.series.map((s, k) => `${points.find((p) => p.seriesIndex === k)?.marker || ""}` +
                `${escape(s.name)}: ${escape(figure(spec, s.values[i]))}`).join("<br>");
          },
        },
        legend: { show: many, bottom: 0, type: "scroll" },
        grid: { left: 16, right: 24, top: spec.unit ? 36 : 16, bottom: many ? 48 : 16,
                containLabel: true },
        xAxis: {
          type: "category", boundaryGap: false,
          // Within one year the axis names the day and month; the table and tooltip the year too.
          data: spec.weeks.map((iso) => week(iso, oneYear ? shortDays : days)),
          axisLabel: { color: INK_SOFT, hideOverlap: true, alignMinLabel: "left",
                       alignMaxLabel: "right" },
        },
        yAxis: { type: "value", name: spec.unit, nameTextStyle: { color: INK_SOFT, align: "left" },
                 axisLabel: { color: INK_SOFT, formatter: (v) => numbers.format(v) } },
        series: spec.series.map((s) => ({
          type: "line", name: s.name, connectNulls: false,
          showSymbol: spec.weeks.length <= 26, emphasis: { focus: "series" },
          data: s.values.map((v) => (v === null ? "-" : v)),  // "-": no point, a gap in the line
        })),
      };
    },

    heatmap(spec) {
      const shown = [];
      const hidden = [];
      let [min, max] = [0, 0];  // the scale starts at zero, or below it for negative figures
      spec.values.forEach((row, y) => row.forEach((v, x) => {
        if (v === null) {
          hidden.push([x, y, 0]);
        } else {
          shown.push([x, y, v]);
          [min, max] = [Math.min(min, v), Math.max(max, v)];
        }
      }));
      // Light text on the darker end of the scale, dark text on the rest.
      const cells = shown.map((value) => ({
        value, label: { color: value[2] - min > 0.55 * (max - min) ? "#ffffff" : INK },
      }));
      const labels = spec.rows.length * spec.cols.length <= 144;
      const tooltip = (p) => {
        const [x, y] = p.value;
        const v = p.seriesIndex === 1 ? null : p.value[2];
        return `${escape(spec.rows[y])} \u2192 ${escape(spec.cols[x])}<br>` +
          `<strong>${escape(figure(spec, v))}</strong>` +
          (v === null ? "" : escape(unitSuffix(spec)));
      };
      return {
        tooltip: { formatter: tooltip, confine: true },
        grid: { left: 16, right: 24, top: 16, bottom: 56, containLabel: true },
        xAxis: { type: "category", data: spec.cols, position: "top", splitArea: { show: true },
                 axisLabel: { color: INK, interval: 0, rotate: spec.cols.length > 6 ? 30 : 0 } },
        yAxis: { type: "category", data: spec.rows, inverse: true, splitArea: { show: true },
                 axisLabel: { color: INK, interval: 0 } },
        visualMap: {
          type: "continuous", seriesIndex: 0, min, max: max > min ? max : min + 1,
          calculable: false, orient: "horizontal", left: "center", bottom: 4, itemHeight: 160,
          text: [numbers.format(max), numbers.format(min)], inRange: { color: HEAT },
          textStyle: { color: INK_SOFT },
        },
        series: [
          {
            type: "heatmap", name: spec.unit || spec.title, data: cells,
            label: { show: labels, formatter: (p) => numbers.format(p.value[2]) },
            itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
            emphasis: { itemStyle: { borderColor: INK, borderWidth: 2 } },
          },
          {
            // Hidden for privacy: grey and hatched, outside the color scale.
            type: "heatmap", name: "Hidden", data: hidden,
            label: { show: labels, formatter: "hidden", color: INK_SOFT },
            itemStyle: {
              color: HIDDEN, borderColor: "#ffffff", borderWidth: 1,
              decal: { symbol: "rect", color: HIDDEN_STRIPE, dashArrayX: [1, 0],
                       dashArrayY: [2, 5], rotation: Math.PI / 4 },
            },
          },
        ],
      };
    },

    network(spec) {
      const groups = [...new Set(spec.nodes.map((n) => n.group))];
      const label = new Map(spec.nodes.map((n) => [n.id, n.label]));
      const node = new Map(spec.nodes.map((n) => [n.id, n]));
      const maxSize = Math.max(0, ...spec.nodes.map((n) => n.size)) || 1;
      const maxWeight = Math.max(0, ...spec.edges.map((e) => e.weight)) || 1;
      // Up to 50 nodes spread out to be read one by one; more draw closer so the whole fits.
      const spread = Math.min(1, Math.sqrt(50 / Math.max(1, spec.nodes.length)));
      const tooltip = (p) => {
        if (p.dataType === "edge") {
          const [from, to] = [label.get(p.data.source), label.get(p.data.target)];
          return `${escape(from)} \u2192 ${escape(to)}<br>` +
            `${escape(spec.weight_label)}: <strong>${escape(figure(spec, p.data.value))}</strong>`;
        }
        const n = node.get(p.data.id);
        return `<strong>${escape(n.label)}</strong><br>${escape(n.group)}<br>` +
          `${escape(spec.size_label)}: ${escape(figure(spec, n.size))}`;
      };
      return {
        color: PALETTE,
        tooltip: { formatter: tooltip, confine: true },
        legend: { data: groups, top: 4, type: "scroll" },
        series: [{
          type: "graph", layout: "force", roam: true, draggable: true,
          top: 40, bottom: 16, scaleLimit: { min: 0.2, max: 6 },
          categories: groups.map((name) => ({ name })),
          data: spec.nodes.map((n) => ({
            id: n.id, name: n.label, value: n.size, category: groups.indexOf(n.group),
            symbolSize: 8 + 32 * Math.sqrt(n.size / maxSize),
          })),
          links: spec.edges.map((e) => ({
            source: e.source, target: e.target, value: e.weight,
            lineStyle: { width: 1 + 5 * (e.weight / maxWeight) },
          })),
          edgeSymbol: ["none", "arrow"], edgeSymbolSize: [0, 9],
          // Curved, so help both ways between two people shows as two arrows.
          lineStyle: { color: "source", opacity: 0.55, curveness: 0.15 },
          label: { show: spec.nodes.length <= 60, position: "right", color: INK },
          labelLayout: { hideOverlap: true },
          emphasis: { focus: "adjacency", lineStyle: { opacity: 0.9 } },
          force: { repulsion: 160 * spread, edgeLength: [40 * spread, 110 * spread],
                   gravity: 0.12, layoutAnimation: !reducedMotion() },
        }],
      };
    },
  };

  // --- drawing --------------------------------------------------------------------------------

  function draw(container) {
    if (container.dataset.chartState) return;
    const source = document.getElementById(container.dataset.waggleChart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    if (!OPTIONS[spec.kind]) {
      console.error(`Unknown chart kind ${spec.kind}`);
      return;
    }
    container.classList.add("waggle-chart", `waggle-chart-${spec.kind}`);
    if (!container.hasAttribute("aria-label")) container.setAttribute("aria-label", spec.title);

    let plot = container.querySelector(".waggle-chart-plot");
    if (!plot) plot = container.appendChild(make("div", { class: "waggle-chart-plot" }));
    plot.setAttribute("role", "img");
    plot.setAttribute("aria-label",
      `${spec.title}: ${DESCRIPTIONS[spec.kind](spec)}. The figures are in the table below.`);
    if (spec.kind === "heatmap") {
      plot.style.height = `${Math.max(220, 120 + 34 * spec.rows.length)}px`;
      const axes = [];
      if (spec.row_label) axes.push(`Rows: ${spec.row_label}`);
      if (spec.col_label) axes.push(`${axes.length ? "columns" : "Columns"}: ${spec.col_label}`);
      const note = axes.join("; ") + ".";
      if (axes.length) plot.before(make("p", { class: "waggle-chart-axes" }, note));
    }

    const details = make("details", { class: "waggle-chart-figures" });
    details.append(make("summary", {}, "Show the figures"), ...TABLES[spec.kind](spec));
    plot.after(details);

    if (typeof window.echarts === "undefined") {
      // No picture without the library; the figures are still there.
      container.dataset.chartState = "figures-only";
      details.open = true;
      return;
    }
    const chart = window.echarts.init(plot, null, { renderer: "canvas" });
    // Canvas text cannot inherit: the chart takes the page's font by name.
    const fontFamily = getComputedStyle(container).fontFamily || "sans-serif";
    chart.setOption({ animation: !reducedMotion(), textStyle: { fontFamily },
                      ...OPTIONS[spec.kind](spec) });
    if (spec.kind === "network" && reducedMotion()) settle(chart);
    if (window.ResizeObserver) new ResizeObserver(() => chart.resize()).observe(plot);
    container.dataset.chartState = "drawn";
  }

  // With motion reduced the force layout runs to its end before anything is drawn; the nodes
  // then stay where it left them, fitted to the box, and a dragged node moves alone (ECharts'
  // force layout without animation would pull it straight back).
  function settle(chart) {
    const data = chart.getModel().getSeriesByIndex(0).getData();
    const nodes = chart.getOption().series[0].data.map((node, i) => {
      const [x, y] = data.getItemLayout(i);
      return { ...node, x, y };
    });
    chart.setOption({ series: [{ layout: "none", data: nodes }] });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-waggle-chart]").forEach((container) => {
      try {
        draw(container);
      } catch (error) {
        console.error("A chart could not be drawn", container, error);
      }
    });
  }

  // Releases the ECharts instances (listeners, canvas, timers) of the charts in an element.
  function dispose(root) {
    if (typeof window.echarts === "undefined" || !root.querySelectorAll) return;
    const plots = [...root.querySelectorAll(".waggle-chart-plot")];
    if (root.matches(".waggle-chart-plot")) plots.push(root);
    plots.forEach((plot) => {
      const chart = window.echarts.getInstanceByDom(plot);
      if (chart) chart.dispose();
    });
  }

  window.WaggleCharts = { drawAll, draw, dispose };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll());
  } else {
    drawAll();
  }
  // Content swapped in by HTMX may carry charts; a whole-document pass skips the drawn ones.
  document.addEventListener("htmx:afterSwap", () => drawAll());
  // HTMX cleans up every element it swaps out, one by one: a chart's plot among them lets go.
  document.addEventListener("htmx:beforeCleanupElement", (event) => {
    if (event.target.matches && event.target.matches(".waggle-chart-plot")) dispose(event.target);
  });
})();
