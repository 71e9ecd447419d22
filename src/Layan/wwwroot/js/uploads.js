// Document uploads (ONB-2) with drag and drop and a progress bar. Forms marked data-upload post
// the file with XMLHttpRequest (which reports upload progress) to the same API the form names,
// then reload the page to show the outcome; a refused file shows the server's message in the
// page's language and nothing else on the page changes. Without JavaScript the form posts as is.
(() => {
  "use strict";
  for (const form of document.querySelectorAll("form[data-upload]")) {
    const input = form.querySelector("input[type=file]");
    const zone = form.querySelector(".drop-zone");
    const progress = form.querySelector("[data-upload-progress]");
    const error = form.querySelector("[data-upload-error]");

    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (event.dataTransfer.files.length > 0) {
        input.files = event.dataTransfer.files;
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      data.delete("returnTo"); // answer as the API does, so a refusal comes back as problem details
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (progressEvent) => {
        if (progressEvent.lengthComputable) {
          progress.hidden = false;
          progress.value = Math.round((progressEvent.loaded / progressEvent.total) * 100);
        }
      });
      request.addEventListener("load", () => {
        if (request.status >= 200 && request.status < 300) {
          const url = new URL(location.href);
          url.search = "uploaded=" + encodeURIComponent(data.get("kind"));
          location.assign(url);
          return;
        }
        let problem = null;
        try { problem = JSON.parse(request.responseText); } catch { /* not JSON */ }
        progress.hidden = true;
        error.hidden = false;
        error.textContent = problem?.title ?? request.statusText;
        error.dataset.errorCode = problem?.code ?? "";
      });
      request.send(data);
    });
  }
})();
