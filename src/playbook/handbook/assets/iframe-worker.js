/* Search from the file system: a page opened as file://… may not start a Web Worker, so the
   theme's search worker runs in a hidden same-origin iframe instead. The theme's worker knows
   this arrangement (it looks for `parent.IFrameWorker` and awaits `importScripts`); Material's
   `offline` plugin would load a shim for it from unpkg.com, this is a local one, so the handbook
   fetches nothing from the network. Does nothing over http(s). */
(function () {
  "use strict";
  if (window.location.protocol !== "file:") { return; }

  function load(doc, url) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = url;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("cannot load " + url)); };
      doc.head.appendChild(script);
    });
  }

  function IFrameWorker(url) {
    var worker = this;
    var href = new URL(String(url), document.baseURI).href;
    var listeners = [];
    var pending = [];
    var started = false;
    this.onmessage = null;
    this.onerror = null;
    var frame = document.createElement("iframe");
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.style.display = "none";
    document.body.appendChild(frame);
    var scope = frame.contentWindow;
    var doc = scope.document;
    doc.open();
    doc.write("<!doctype html><html><head></head><body></body></html>");
    doc.close();

    function deliver(data) {
      var event = { data: data, target: worker, type: "message" };
      if (typeof worker.onmessage === "function") { worker.onmessage(event); }
      listeners.slice().forEach(function (listener) { listener.call(worker, event); });
    }
    scope.postMessage = function (data) { setTimeout(function () { deliver(data); }, 0); };
    scope.importScripts = function () {
      var urls = Array.prototype.slice.call(arguments);
      return urls.reduce(function (done, next) {
        return done.then(function () { return load(doc, new URL(String(next), href).href); });
      }, Promise.resolve());
    };
    function post(data) {
      scope.dispatchEvent(new scope.MessageEvent("message", { data: data }));
    }
    this.postMessage = function (data) {
      if (started) { setTimeout(function () { post(data); }, 0); } else { pending.push(data); }
    };
    this.addEventListener = function (type, listener) {
      if (type === "message") { listeners.push(listener); }
    };
    this.removeEventListener = function (type, listener) {
      listeners = listeners.filter(function (l) { return l !== listener; });
    };
    this.terminate = function () { frame.remove(); };
    load(doc, href).then(function () {
      started = true;
      pending.splice(0).forEach(function (data) { post(data); });
    }, function (error) {
      if (typeof worker.onerror === "function") { worker.onerror(error); }
    });
  }

  window.IFrameWorker = IFrameWorker;
  window.Worker = IFrameWorker;
})();
