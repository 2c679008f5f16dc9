/* A Worker for pages opened from file://, where Chromium refuses `new Worker(url)`: the worker's
   script runs in a hidden iframe of the page instead, so the site's search works offline.
   It stands in for the iframe-worker shim Material's offline plugin would load from a CDN
   (docs/hooks.py puts this file in the site instead). The worker side gets `postMessage`
   (to the page), its `message` events (from the page) and a promise-returning
   `importScripts`, which is how Material's search worker calls it. */
(function () {
  "use strict";
  if (location.protocol !== "file:" || typeof window.Worker === "undefined") {
    return;
  }

  class IFrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.onmessage = null;
      this.onerror = null;
      this.ready = false;
      this.queue = [];
      const frame = document.createElement("iframe");
      frame.hidden = true;
      frame.tabIndex = -1;
      frame.setAttribute("aria-hidden", "true");
      frame.title = "search worker";
      (document.body || document.documentElement).appendChild(frame);
      this.frame = frame;
      const inner = frame.contentWindow;
      const load = (src) =>
        new Promise((resolve, reject) => {
          const script = inner.document.createElement("script");
          script.src = new URL(src, location.href).href;
          script.onload = () => resolve();
          script.onerror = () => reject(new Error(`cannot load ${src}`));
          inner.document.head.appendChild(script);
        });
      inner.postMessage = (data) => this.emit("message", data);
      inner.importScripts = (...urls) =>
        urls.reduce((chain, src) => chain.then(() => load(src)), Promise.resolve());
      load(url).then(
        () => {
          this.ready = true;
          this.queue.splice(0).forEach((data) => this.deliver(data));
        },
        (err) => this.emit("error", err)
      );
    }

    emit(type, data) {
      const event =
        type === "message" ? new MessageEvent("message", { data }) : new ErrorEvent("error", { error: data });
      this.dispatchEvent(event);
      const handler = type === "message" ? this.onmessage : this.onerror;
      if (typeof handler === "function") {
        handler.call(this, event);
      }
    }

    deliver(data) {
      this.frame.contentWindow.dispatchEvent(new MessageEvent("message", { data }));
    }

    postMessage(data) {
      if (this.ready) {
        this.deliver(data);
      } else {
        this.queue.push(data);
      }
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.Worker = IFrameWorker;
})();
