// Live password strength meter (ACC-3) for inputs marked data-password-meter="<meter element id>".
// It asks the server, so the rules and the messages are exactly those applied on submit, in the
// page's language. Without JavaScript the form still works: the server explains on submit.
(() => {
  "use strict";
  const valueOf = (form, selector) => form.querySelector(selector)?.value ?? "";

  function render(meter, verdict) {
    meter.querySelector("meter").value = verdict.score;
    meter.querySelector("[data-meter-label]").textContent = meter.dataset["score" + verdict.score] ?? "";
    const list = meter.querySelector("[data-meter-problems]");
    list.replaceChildren(...verdict.problems.map((problem) => {
      const item = document.createElement("li");
      item.textContent = problem.message;
      item.dataset.errorCode = problem.code;
      return item;
    }));
    meter.dataset.acceptable = verdict.acceptable;
  }

  for (const input of document.querySelectorAll("input[data-password-meter]")) {
    const meter = document.getElementById(input.dataset.passwordMeter);
    let timer;
    let latest = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const request = ++latest;
        const body = {
          password: input.value,
          email: valueOf(input.form, "[data-meter-email]"),
          fullName: valueOf(input.form, "[data-meter-name]"),
        };
        try {
          const response = await fetch("/api/v1/auth/password-check", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
          });
          if (response.ok && request === latest) {
            render(meter, await response.json());
          }
        } catch {
          // Offline or limited: the form still explains on submit.
        }
      }, 250);
    });
  }
})();
