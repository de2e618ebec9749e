// The login page: send the name and password as JSON, then go where the person was headed.
import { send } from "./api.js";

const theme = localStorage.getItem("routerchat.theme");
if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;

const form = document.querySelector("#login-form");
const errorBox = document.querySelector("#login-error");
const button = document.querySelector("#login-button");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = form.elements.username.value;
  const password = form.elements.password.value;
  if (!username || !password) {
    showError("Enter your name and password.");
    return;
  }
  button.disabled = true;
  errorBox.hidden = true;
  try {
    await send("/login", { method: "POST", body: { username, password } });
    location.assign(document.body.dataset.next || "/");
  } catch (error) {
    showError(error.message);
    form.elements.password.select();
  } finally {
    button.disabled = false;
  }
});

document.body.dataset.ready = "true";
