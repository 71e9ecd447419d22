// Passkeys (LOG-2) with the browser's WebAuthn API. Buttons marked data-passkey-create (adding a
// passkey, signed in) and data-passkey-signin (signing in, alone or at the second step) ask the
// server for options, hand them to navigator.credentials, and send the signed answer back.
// Messages come from the server in the page's language; without WebAuthn the buttons stay hidden.
(() => {
  "use strict";
  const supported = typeof window.PublicKeyCredential === "function" &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function";

  const post = (url, body) => fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body ?? {}),
  });

  function fail(status, problem) {
    status.hidden = false;
    status.textContent = problem?.title ?? status.dataset.failed;
    status.dataset.errorCode = problem?.code ?? "passkey_invalid";
  }

  async function run(button, ceremony) {
    const root = button.closest("[data-passkeys]");
    const status = root.querySelector("[data-passkey-status]");
    button.disabled = true;
    try {
      const done = await ceremony(root);
      if (done.ok) {
        const answer = await done.json().catch(() => ({}));
        location.assign(button.dataset.returnUrl || answer.redirect || location.href);
        return;
      }
      fail(status, await done.json().catch(() => null));
    } catch {
      fail(status, null); // cancelled, timed out, or no authenticator
    } finally {
      button.disabled = false;
    }
  }

  async function create(root) {
    // Adding a way to sign in needs the password (a stolen session alone cannot add a passkey).
    const password = root.querySelector("[data-passkey-password]")?.value ?? "";
    const options = await post("api/v1/auth/me/passkeys/options", { password });
    if (!options.ok) {
      return options;
    }
    const begun = await options.json();
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(begun.options),
    });
    const name = root.querySelector("[data-passkey-name]")?.value ?? "";
    return post("api/v1/auth/me/passkeys", { ceremony: begun.ceremony, credential: credential.toJSON(), name });
  }

  async function signIn() {
    const begun = await (await post("api/v1/auth/passkey/options")).json();
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(begun.options),
    });
    return post("api/v1/auth/passkey", { ceremony: begun.ceremony, credential: credential.toJSON() });
  }

  for (const root of document.querySelectorAll("[data-passkeys]")) {
    root.querySelector("[data-passkey-unsupported]")?.toggleAttribute("hidden", supported);
    for (const button of root.querySelectorAll("[data-passkey-create], [data-passkey-signin]")) {
      button.hidden = !supported;
      const ceremony = button.hasAttribute("data-passkey-create") ? create : signIn;
      button.addEventListener("click", () => run(button, ceremony));
    }
  }
})();
