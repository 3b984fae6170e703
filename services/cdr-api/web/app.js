// Call records page: filters, a paged table of calls or raw records, a CSV download and a
// chart of calls per day and site. Spanish (Mexico) by default, English on request. The
// access token lives in sessionStorage and goes to the API as a Bearer header.
"use strict";

(function () {
  const TOKEN_KEY = "cdr.token";
  const LANG_KEY = "cdr.lang";
  const FILTER_NAMES = ["site", "from", "to", "src", "dst", "disposition", "limit"];
  const SVG_NS = "http://www.w3.org/2000/svg";

  const MESSAGES = {
    "es-MX": {
      skip: "Saltar al contenido",
      title: "Registro de llamadas",
      logout: "Cerrar sesión",
      switchLanguage: "English",
      switchLanguageLabel: "Switch to English",
      loginTitle: "Acceso",
      callFlowTitle: "Flujo de llamadas",
      callFlowHelp: "Menús del IVR con sus saludos por horario, grupos de timbrado y rutas a los otros sitios.",
      callFlowFailed: "No se pudo dibujar el flujo de llamadas.",
      loginHelp: "Escriba el token de acceso del servicio. Se guarda solo en esta pestaña.",
      token: "Token de acceso",
      login: "Entrar",
      tokenRequired: "Escriba el token.",
      tokenRejected: "El token no es válido. Revíselo e intente de nuevo.",
      filters: "Filtros",
      view: "Vista",
      viewCalls: "Llamadas (agrupadas)",
      viewRecords: "Registros (sin agrupar)",
      site: "Sitio",
      allSites: "Todos los sitios",
      from: "Desde",
      to: "Hasta (incluido)",
      src: "Número de origen",
      dst: "Número de destino",
      disposition: "Estado",
      any: "Cualquiera",
      limit: "Filas por página",
      search: "Buscar",
      clear: "Limpiar filtros",
      retry: "Reintentar",
      chartTitle: "Llamadas por día y sitio",
      chartEmpty: "No hay llamadas en este periodo.",
      chartSummary: (days, total) => `${total} llamadas en ${days} días.`,
      chartDataCaption: "Datos de la gráfica: llamadas por día y sitio",
      day: "Día",
      results: "Resultados",
      downloadCsv: "Descargar CSV",
      pagination: "Paginación",
      prev: "Página anterior",
      next: "Página siguiente",
      apiDocs: "Documentación de la API",
      zoneHelp: (zone) => `Las fechas se interpretan en la zona horaria ${zone}.`,
      siteInfo: (name, role) => `Sitio ${name} · ${role === "hq" ? "oficina central (consolidado)" : "sucursal"}`,
      loading: "Cargando…",
      loaded: (count, view) => `${count} ${view === "calls" ? "llamadas" : "registros"} en esta página.`,
      emptyCalls: "No se encontraron llamadas con estos filtros.",
      emptyRecords: "No se encontraron registros con estos filtros.",
      captionCalls: "Llamadas, de la más reciente a la más antigua",
      captionRecords: "Registros de llamadas, del más reciente al más antiguo",
      sourceHq: "Datos de la oficina central (consolidados).",
      sourceLocal: "Datos de este sitio (la oficina central no respondió o no se consultó).",
      downloading: "Descargando CSV…",
      downloaded: (name) => `CSV descargado: ${name}`,
      errorNetwork: "No se pudo conectar con el servicio. Revise la red e intente de nuevo.",
      errorServer: (status) => `El servicio respondió con un error (${status}). Intente de nuevo en un momento.`,
      errorInvalid: "Revise los filtros marcados:",
      ANSWERED: "Contestada",
      "NO ANSWER": "Sin respuesta",
      BUSY: "Ocupado",
      FAILED: "Fallida",
      CONGESTION: "Congestión",
      colDate: "Fecha y hora (hora local del sitio)",
      colSite: "Sitio",
      colFrom: "Origen",
      colTo: "Destino",
      colStatus: "Estado",
      colAnsweredBy: "Contestó",
      colTalk: "Conversación",
      colRing: "Timbrado",
      colLegs: "Tramos",
      colContext: "Contexto",
      colChannel: "Canal",
      colDstChannel: "Canal destino",
      colApp: "Aplicación",
      colDuration: "Duración",
      colBillsec: "Facturable",
      colUniqueid: "ID único",
      application: (name) => `Aplicación ${name}`,
    },
    en: {
      skip: "Skip to content",
      title: "Call records",
      logout: "Sign out",
      switchLanguage: "Español",
      switchLanguageLabel: "Cambiar a español",
      loginTitle: "Sign in",
      callFlowTitle: "Call flow",
      callFlowHelp: "IVR menus with their greetings by time of day, ring groups and routes to the other sites.",
      callFlowFailed: "The call flow could not be drawn.",
      loginHelp: "Enter the service's access token. It is kept in this tab only.",
      token: "Access token",
      login: "Sign in",
      tokenRequired: "Enter the token.",
      tokenRejected: "The token is not valid. Check it and try again.",
      filters: "Filters",
      view: "View",
      viewCalls: "Calls (grouped)",
      viewRecords: "Records (raw)",
      site: "Site",
      allSites: "All sites",
      from: "From",
      to: "To (inclusive)",
      src: "Caller number",
      dst: "Dialled number",
      disposition: "Status",
      any: "Any",
      limit: "Rows per page",
      search: "Search",
      clear: "Clear filters",
      retry: "Retry",
      chartTitle: "Calls per day and site",
      chartEmpty: "No calls in this period.",
      chartSummary: (days, total) => `${total} calls over ${days} days.`,
      chartDataCaption: "Chart data: calls per day and site",
      day: "Day",
      results: "Results",
      downloadCsv: "Download CSV",
      pagination: "Pagination",
      prev: "Previous page",
      next: "Next page",
      apiDocs: "API documentation",
      zoneHelp: (zone) => `Dates are read in the ${zone} time zone.`,
      siteInfo: (name, role) => `Site ${name} · ${role === "hq" ? "headquarters (consolidated)" : "branch"}`,
      loading: "Loading…",
      loaded: (count, view) => `${count} ${view === "calls" ? "calls" : "records"} on this page.`,
      emptyCalls: "No calls match these filters.",
      emptyRecords: "No records match these filters.",
      captionCalls: "Calls, newest first",
      captionRecords: "Call records, newest first",
      sourceHq: "Data from headquarters (consolidated).",
      sourceLocal: "Data from this site (headquarters did not answer or was not asked).",
      downloading: "Downloading CSV…",
      downloaded: (name) => `CSV downloaded: ${name}`,
      errorNetwork: "Could not reach the service. Check the network and try again.",
      errorServer: (status) => `The service returned an error (${status}). Try again shortly.`,
      errorInvalid: "Check the marked filters:",
      ANSWERED: "Answered",
      "NO ANSWER": "No answer",
      BUSY: "Busy",
      FAILED: "Failed",
      CONGESTION: "Congestion",
      colDate: "Date and time (site's local time)",
      colSite: "Site",
      colFrom: "From",
      colTo: "To",
      colStatus: "Status",
      colAnsweredBy: "Answered by",
      colTalk: "Talk time",
      colRing: "Ring time",
      colLegs: "Legs",
      colContext: "Context",
      colChannel: "Channel",
      colDstChannel: "Destination channel",
      colApp: "Application",
      colDuration: "Duration",
      colBillsec: "Billable",
      colUniqueid: "Unique ID",
      application: (name) => `Application ${name}`,
    },
  };

  const state = {
    lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "es-MX",
    meta: null,
    view: "calls",
    filters: {},
    cursor: null,
    page: null,
    lastError: null,
    lastLoad: null,
    /** Mermaid text of the site's call flow; null when the service has none. */
    callFlow: null,
    callFlowRenders: 0,
    callFlowSheet: null,
  };

  const $ = (id) => document.getElementById(id);

  function t(key, ...args) {
    const value = MESSAGES[state.lang][key] ?? MESSAGES["es-MX"][key] ?? key;
    return typeof value === "function" ? value(...args) : value;
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  // ---- Language ----

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t("title");
    for (const element of document.querySelectorAll("[data-i18n]")) {
      element.textContent = t(element.dataset.i18n);
    }
    for (const element of document.querySelectorAll("[data-i18n-label]")) {
      element.setAttribute("aria-label", t(element.dataset.i18nLabel));
    }
    const toggle = $("lang-toggle");
    toggle.textContent = t("switchLanguage");
    toggle.setAttribute("lang", state.lang === "en" ? "es-MX" : "en");
    toggle.setAttribute("aria-label", t("switchLanguageLabel"));
    renderMeta();
    if (state.page !== null) {
      renderTable(state.page);
    }
    if (state.stats) {
      renderChart(state.stats);
    }
    if (state.lastError !== null) {
      showError(state.lastError);
    }
    if (state.callFlow !== null) {
      renderCallFlow(state.callFlow);
    }
  }

  // ---- Login ----

  function showLogin(message) {
    $("app").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }

  function showApp() {
    $("login").hidden = true;
    $("app").hidden = false;
    $("logout").hidden = false;
  }

  // ---- API ----

  class ApiError extends Error {
    constructor(status, body) {
      super(body && body.message ? body.message : `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  async function api(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` }, cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, null);
    }
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(t("tokenRejected"));
      throw new ApiError(401, null);
    }
    if (!response.ok) {
      let body = null;
      try {
        body = await response.json();
      } catch (error) {
        body = null;
      }
      throw new ApiError(response.status, body);
    }
    return response;
  }

  // ---- Call flow ----

  // The diagram's fixed words, as the project's renderer writes them, in Spanish. Labels
  // from the site's data (names, recordings) are already in the site's language.
  const CALL_FLOW_SPANISH = [
    [/^Ring group (\S+): (.*) \(ringall, (\d+) s\)$/, "Grupo de timbrado $1: $2 (todos a la vez, $3 s)"],
    [/^Ring group (\S+): (.*) \(hunt, (\d+) s each\)$/, "Grupo de timbrado $1: $2 (uno tras otro, $3 s cada uno)"],
    [/^Voicemail (\S+)$/, "Buzón de voz $1"],
    [/^No voicemail: message, hang up$/, "Sin buzón: mensaje y colgar"],
    [/^Dial (\S+) \+ number$/, "Marque $1 + número"],
    [/^hunt (\d+)$/, "turno $1"],
    [/^ring$/, "timbra"],
    [/^unanswered$/, "sin respuesta"],
    [/^operator$/, "operadora"],
    [/^dial$/, "marcar"],
  ];

  /** Translates the quoted labels of the Mermaid text into the page's language. */
  function localizeCallFlow(text) {
    if (state.lang === "en") {
      return text;
    }
    return text.replace(/"([^"\n]*)"/g, (quoted, label) => {
      for (const [pattern, replacement] of CALL_FLOW_SPANISH) {
        if (pattern.test(label)) {
          return `"${label.replace(pattern, replacement)}"`;
        }
      }
      return quoted;
    });
  }

  /** Loads Mermaid from this service on first use. */
  function loadMermaid() {
    if (window.mermaid) {
      return Promise.resolve(window.mermaid);
    }
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/vendor/mermaid.min.js";
      script.onload = () => resolve(window.mermaid);
      script.onerror = () => reject(new Error("mermaid.min.js did not load"));
      document.head.append(script);
    });
  }

  async function renderCallFlow(text) {
    const target = $("call-flow");
    try {
      const mermaid = await loadMermaid();
      // Strict security: labels are text, never HTML; SVG text labels need no inline HTML.
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } });
      state.callFlowRenders += 1;
      const { svg } = await mermaid.render(`call-flow-svg-${state.callFlowRenders}`, localizeCallFlow(text));
      const parsed = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
      // The page's Content-Security-Policy blocks <style> elements, so Mermaid's styles are
      // applied as a constructed style sheet instead.
      // NOTE: the policy also blocks the style attributes Mermaid writes (the browser logs each
      // one). The diagram's look comes from the style sheet alone.
      const styles = [...parsed.querySelectorAll("style")];
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(styles.map((style) => style.textContent).join("\n"));
      document.adoptedStyleSheets = [...document.adoptedStyleSheets.filter((existing) => existing !== state.callFlowSheet), sheet];
      state.callFlowSheet = sheet;
      styles.forEach((style) => style.remove());
      parsed.removeAttribute("style");
      parsed.setAttribute("role", "img");
      parsed.setAttribute("aria-labelledby", "call-flow-title");
      target.replaceChildren(document.importNode(parsed, true));
    } catch (error) {
      target.textContent = t("callFlowFailed");
    }
  }

  async function loadCallFlow() {
    try {
      const response = await api("/api/call-flow");
      state.callFlow = (await response.json()).mermaid;
    } catch (error) {
      // 404: the service has no diagram, so the view stays hidden.
      state.callFlow = null;
      $("call-flow-panel").hidden = true;
      return;
    }
    $("call-flow-panel").hidden = false;
    await renderCallFlow(state.callFlow);
  }

  // ---- Filters ----

  function readForm() {
    const form = $("filters");
    const filters = {};
    for (const name of FILTER_NAMES) {
      const value = form.elements[name].value.trim();
      if (value !== "") {
        filters[name] = value;
      }
    }
    if (filters.site === "all") {
      delete filters.site;
    }
    if (filters.limit === "50") {
      delete filters.limit;
    }
    state.view = form.elements.view.value;
    return filters;
  }

  function writeForm() {
    const form = $("filters");
    for (const name of FILTER_NAMES) {
      const defaults = { site: "all", limit: "50" };
      form.elements[name].value = state.filters[name] ?? defaults[name] ?? "";
    }
    form.elements.view.value = state.view;
  }

  function queryString(extra) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...state.filters, ...extra })) {
      if (value !== undefined && value !== null && value !== "") {
        params.set(name, value);
      }
    }
    const text = params.toString();
    return text === "" ? "" : `?${text}`;
  }

  function restoreFromUrl() {
    const params = new URLSearchParams(location.search);
    state.view = params.get("view") === "records" ? "records" : "calls";
    state.filters = {};
    for (const name of FILTER_NAMES) {
      const value = params.get(name);
      if (value) {
        state.filters[name] = value;
      }
    }
  }

  function saveToUrl() {
    const text = queryString({ view: state.view === "records" ? "records" : undefined });
    history.replaceState(null, "", `${location.pathname}${text}`);
  }

  function updateCsvLink() {
    const filters = { ...state.filters };
    delete filters.limit;
    const params = new URLSearchParams(filters).toString();
    $("csv-link").href = `/api/${state.view}.csv${params ? `?${params}` : ""}`;
  }

  function clearFieldErrors() {
    for (const element of $("filters").querySelectorAll("[aria-invalid]")) {
      element.removeAttribute("aria-invalid");
    }
  }

  // ---- Status and errors ----

  function setStatus(text) {
    $("status").textContent = text;
  }

  function hideError() {
    state.lastError = null;
    $("error").hidden = true;
    clearFieldErrors();
  }

  function showError(error) {
    state.lastError = error;
    const list = $("error-fields");
    list.replaceChildren();
    clearFieldErrors();
    if (error.status === 400 && error.body && Array.isArray(error.body.fields)) {
      $("error-text").textContent = t("errorInvalid");
      for (const field of error.body.fields) {
        const item = document.createElement("li");
        const label = MESSAGES[state.lang][field.field] ? t(field.field) : field.field;
        item.textContent = `${label}: ${field.message}`;
        list.append(item);
        const input = $("filters").elements[field.field];
        if (input && input.setAttribute) {
          input.setAttribute("aria-invalid", "true");
        }
      }
    } else if (error.status === 0) {
      $("error-text").textContent = t("errorNetwork");
    } else {
      $("error-text").textContent = t("errorServer", error.status);
    }
    $("error").hidden = false;
    setStatus("");
  }

  // ---- Rendering ----

  function siteName(code) {
    const site = state.meta && state.meta.sites.find((entry) => entry.code === code);
    return site ? site.name : code;
  }

  function renderMeta() {
    if (state.meta === null) {
      return;
    }
    $("site-info").textContent = t("siteInfo", siteName(state.meta.site), state.meta.role);
    const select = $("f-site");
    const current = select.value || state.filters.site || "all";
    select.replaceChildren();
    const all = new Option(t("allSites"), "all");
    select.append(all);
    for (const site of state.meta.sites) {
      select.append(new Option(site.name, site.code));
    }
    select.value = current;
    const zone = (state.meta.sites.find((site) => site.code === select.value) || state.meta).timeZone;
    $("zone-help").textContent = t("zoneHelp", zone);
  }

  function formatLocal(iso) {
    // "2024-03-10T03:30:00-07:00" → "2024-03-10 03:30:00 (UTC−07:00)"
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)} (UTC${iso.slice(19).replace("-", "−")})`;
  }

  function formatSeconds(total) {
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    return `${minutes}:${String(seconds).padStart(2, "0")}`;
  }

  function cell(row, text, numeric) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (numeric) {
      td.className = "num";
    }
    row.append(td);
    return td;
  }

  function answeredByText(answeredBy) {
    if (!answeredBy) {
      return "—";
    }
    const who = answeredBy.peer || answeredBy.channel || (answeredBy.application ? t("application", answeredBy.application) : "");
    return `${who} (${siteName(answeredBy.site)})`;
  }

  function renderTable(page) {
    const table = $("results");
    const calls = state.view === "calls";
    const headers = calls
      ? ["colDate", "colSite", "colFrom", "colTo", "colStatus", "colAnsweredBy", "colTalk", "colRing", "colLegs"]
      : ["colDate", "colSite", "colFrom", "colTo", "colContext", "colChannel", "colDstChannel", "colApp", "colDuration", "colBillsec", "colStatus", "colUniqueid"];
    $("results-caption").textContent = t(calls ? "captionCalls" : "captionRecords");
    const headRow = document.createElement("tr");
    for (const key of headers) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t(key);
      headRow.append(th);
    }
    table.tHead.replaceChildren(headRow);

    const body = table.tBodies[0];
    body.replaceChildren();
    for (const item of page.items) {
      const row = document.createElement("tr");
      const date = document.createElement("th");
      date.scope = "row";
      date.textContent = formatLocal(item.calldateLocal);
      row.append(date);
      cell(row, siteName(item.site));
      cell(row, item.clid && !item.clid.includes(`<${item.src}>`) ? `${item.src} · ${item.clid}` : item.clid || item.src);
      cell(row, item.dst);
      if (calls) {
        cell(row, t(item.disposition));
        cell(row, answeredByText(item.answeredBy));
        cell(row, formatSeconds(item.talkSeconds), true);
        cell(row, `${item.ringSeconds} s`, true);
        cell(row, item.legs, true);
      } else {
        cell(row, item.dcontext);
        cell(row, item.channel);
        cell(row, item.dstchannel);
        cell(row, item.lastapp);
        cell(row, formatSeconds(item.duration), true);
        cell(row, formatSeconds(item.billsec), true);
        cell(row, t(item.disposition));
        cell(row, item.uniqueid);
      }
      body.append(row);
    }

    const empty = page.items.length === 0;
    $("empty").hidden = !empty;
    const emptyMessage = t(calls ? "emptyCalls" : "emptyRecords");
    $("empty").textContent = empty ? emptyMessage : "";
    table.hidden = empty;
    $("prev").disabled = page.page.prev === null;
    $("next").disabled = page.page.next === null;
    $("source").textContent = page.source === "hq" ? t("sourceHq") : t("sourceLocal");
  }

  function svg(name, attributes, text) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes || {})) {
      element.setAttribute(key, String(value));
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  /** Draws grouped bars: one group per day, one bar per site, plus a data table for screen readers. */
  function renderChart(stats) {
    const container = $("chart");
    container.replaceChildren();
    container.className = "chart";
    const sites = state.meta.sites.map((site) => site.code).filter((code) => stats.site === "all" || code === stats.site);
    const totals = new Map();
    for (const row of stats.rows) {
      const key = `${row.date}|${row.site}`;
      totals.set(key, (totals.get(key) || 0) + row.calls);
    }
    const days = stats.days;
    const grand = [...totals.values()].reduce((sum, value) => sum + value, 0);
    if (grand === 0) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = t("chartEmpty");
      container.append(empty);
      return;
    }
    const max = Math.max(...totals.values());
    const width = 900;
    const height = 260;
    const left = 40;
    const bottom = 40;
    const top = 10;
    const plotWidth = width - left - 10;
    const plotHeight = height - top - bottom;
    const groupWidth = plotWidth / days.length;
    const barWidth = Math.max(1, (groupWidth * 0.8) / sites.length);

    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-svg-title chart-svg-desc" });
    chart.append(svg("title", { id: "chart-svg-title" }, t("chartTitle")));
    chart.append(svg("desc", { id: "chart-svg-desc" }, t("chartSummary", days.length, grand)));

    const axis = svg("g", { class: "axis" });
    axis.append(svg("line", { x1: left, y1: top + plotHeight, x2: width - 10, y2: top + plotHeight }));
    for (const fraction of [0, 0.5, 1]) {
      const value = Math.round(max * fraction);
      const y = top + plotHeight - (value / max) * plotHeight;
      axis.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, String(value)));
      axis.append(svg("line", { x1: left, y1: y, x2: width - 10, y2: y, "stroke-dasharray": "2 3" }));
    }
    const labelEvery = Math.ceil(days.length / 12);
    days.forEach((day, dayIndex) => {
      if (dayIndex % labelEvery === 0) {
        const x = left + dayIndex * groupWidth + groupWidth / 2;
        axis.append(svg("text", { x, y: height - bottom + 16, "text-anchor": "middle" }, day.slice(5)));
      }
    });
    chart.append(axis);

    days.forEach((day, dayIndex) => {
      sites.forEach((site, siteIndex) => {
        const value = totals.get(`${day}|${site}`) || 0;
        if (value === 0) {
          return;
        }
        const barHeight = (value / max) * plotHeight;
        const x = left + dayIndex * groupWidth + groupWidth * 0.1 + siteIndex * barWidth;
        const bar = svg("rect", {
          x: x.toFixed(1),
          y: (top + plotHeight - barHeight).toFixed(1),
          width: barWidth.toFixed(1),
          height: barHeight.toFixed(1),
          class: `site-${siteIndex % 5}`,
          "data-day": day,
          "data-site": site,
        });
        bar.append(svg("title", {}, `${day} · ${siteName(site)}: ${value}`));
        chart.append(bar);
      });
    });
    container.append(chart);

    const legend = document.createElement("ul");
    legend.className = "legend";
    legend.setAttribute("aria-hidden", "true");
    sites.forEach((site, siteIndex) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `swatch site-${siteIndex % 5}`;
      item.append(swatch, document.createTextNode(siteName(site)));
      legend.append(item);
    });
    container.append(legend);

    const data = document.createElement("table");
    data.className = "visually-hidden";
    const caption = document.createElement("caption");
    caption.textContent = t("chartDataCaption");
    data.append(caption);
    const head = document.createElement("tr");
    for (const label of [t("day"), ...sites.map(siteName)]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.append(th);
    }
    data.createTHead().append(head);
    const body = data.createTBody();
    for (const day of days) {
      const counts = sites.map((site) => totals.get(`${day}|${site}`) || 0);
      if (counts.every((count) => count === 0)) {
        continue;
      }
      const row = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = day;
      row.append(th);
      for (const count of counts) {
        cell(row, count, true);
      }
      body.append(row);
    }
    container.append(data);
  }

  // ---- Loading ----

  async function loadPage(cursor, focusAfter) {
    state.lastLoad = () => loadPage(cursor, focusAfter);
    hideError();
    setStatus(t("loading"));
    $("results").setAttribute("aria-busy", "true");
    try {
      const response = await api(`/api/${state.view}${queryString({ cursor: cursor || undefined })}`);
      const page = await response.json();
      state.page = page;
      state.cursor = cursor;
      renderTable(page);
      setStatus(t("loaded", page.items.length, state.view));
      if (focusAfter) {
        const target = $(focusAfter);
        // Keep focus on the pressed button, or on the other one when this one became disabled.
        const other = $(focusAfter === "next" ? "prev" : "next");
        if (target.disabled) {
          other.focus();
        } else {
          target.focus();
        }
      }
    } catch (error) {
      if (error.status !== 401) {
        state.page = null;
        $("results").tBodies[0].replaceChildren();
        $("empty").hidden = true;
        $("prev").disabled = true;
        $("next").disabled = true;
        showError(error);
      }
    } finally {
      $("results").removeAttribute("aria-busy");
    }
  }

  async function loadChart() {
    const filters = {};
    for (const name of ["site", "from", "to"]) {
      if (state.filters[name]) {
        filters[name] = state.filters[name];
      }
    }
    const params = new URLSearchParams(filters).toString();
    try {
      const response = await api(`/api/stats${params ? `?${params}` : ""}`);
      state.stats = await response.json();
      renderChart(state.stats);
    } catch (error) {
      state.stats = null;
      $("chart").replaceChildren();
    }
  }

  function search() {
    state.filters = readForm();
    saveToUrl();
    updateCsvLink();
    renderMeta();
    return Promise.all([loadPage(null), loadChart()]);
  }

  async function downloadCsv(event) {
    event.preventDefault();
    const link = $("csv-link");
    setStatus(t("downloading"));
    try {
      const response = await api(link.getAttribute("href"));
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const name = match ? match[1] : "cdr.csv";
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = name;
      anchor.hidden = true;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus(t("downloaded", name));
    } catch (error) {
      if (error.status !== 401) {
        showError(error);
      }
    }
  }

  async function start() {
    try {
      const response = await api("/api/sites");
      state.meta = await response.json();
    } catch (error) {
      if (error.status !== 401) {
        showApp();
        showError(error);
        state.lastLoad = start;
      }
      return;
    }
    showApp();
    restoreFromUrl();
    renderMeta();
    writeForm();
    updateCsvLink();
    await Promise.all([loadPage(null), loadChart(), loadCallFlow()]);
  }

  // ---- Events ----

  document.addEventListener("DOMContentLoaded", () => {
    applyLanguage();

    $("lang-toggle").addEventListener("click", () => {
      state.lang = state.lang === "en" ? "es-MX" : "en";
      localStorage.setItem(LANG_KEY, state.lang === "en" ? "en" : "es-MX");
      applyLanguage();
    });

    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("token").value.trim();
      if (value === "") {
        $("login-error").textContent = t("tokenRequired");
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, value);
      start();
    });

    $("logout").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      state.page = null;
      showLogin("");
    });

    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      search();
    });
    $("filters").addEventListener("reset", () => {
      setTimeout(() => {
        state.view = "calls";
        search();
      }, 0);
    });
    $("f-site").addEventListener("change", renderMeta);
    for (const radio of $("filters").elements.view) {
      radio.addEventListener("change", () => search());
    }

    $("next").addEventListener("click", () => {
      if (state.page && state.page.page.next) {
        loadPage(state.page.page.next, "next");
      }
    });
    $("prev").addEventListener("click", () => {
      if (state.page && state.page.page.prev) {
        loadPage(state.page.page.prev, "prev");
      }
    });
    $("retry").addEventListener("click", () => {
      if (state.lastLoad) {
        state.lastLoad();
      }
    });
    $("csv-link").addEventListener("click", downloadCsv);

    if (token()) {
      start();
    } else {
      showLogin("");
    }
  });
})();
