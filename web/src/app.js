// The front end of the example, served by Firebase Hosting. It signs in with Firebase Auth
// and listens on the signed-in user's *view documents*: their agenda (`userViews/{uid}`,
// a `UserView`) and their sessions (`users/{uid}/meetingSessions/*`). It never reads domain
// documents (the rules deny it) and changes data only through the REST API on the same
// origin (`/api/**`, rewritten by Hosting to the `api` function); the triggers turn those
// writes into new view documents, and the listeners show them.
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, onAuthStateChanged, signInWithEmailAndPassword, signOut } from "firebase/auth";
import { collection, connectFirestoreEmulator, doc, getDoc, getFirestore, onSnapshot } from "firebase/firestore";

// Set by /__/firebase/init.js (see index.html): the project's config, and the emulators when
// the Hosting emulator serves the page.
const config = window.firebaseConfig;
const emulators = window.firebaseEmulators;
const app = initializeApp(config);
const auth = getAuth(app);
const db = getFirestore(app);
if (emulators?.auth) connectAuthEmulator(auth, `http://${emulators.auth.hostAndPort}`, { disableWarnings: true });
if (emulators?.firestore) connectFirestoreEmulator(db, emulators.firestore.host, emulators.firestore.port);

const API = "/api";
const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text; };
const element = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const when = (timestamp) => timestamp
  ? timestamp.toDate().toLocaleString(undefined, { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
  : "no time set";

let stopListening = [];
let attending = new Set();  // meeting ids on the signed-in user's agenda

// -- the agenda: one UserView document, live ----------------------------------------------
function renderAgenda(snapshot) {
  const list = $("agenda");
  list.replaceChildren();
  // A view document may carry the engine's bookkeeping map (`_fb`); only declared fields are shown.
  const upcoming = snapshot.exists() ? snapshot.data().upcoming ?? [] : [];
  for (const entry of upcoming) {
    const item = element("li", "agenda-item");
    item.dataset.meetingId = entry.meetingId;
    item.append(element("span", "title", entry.title), " — ", element("time", "starts-at", when(entry.startsAt)));
    if (entry.checkedIn) item.append(" ", element("span", "checked-in", "checked in"));
    list.append(item);
  }
  $("agenda-count").textContent = `(${upcoming.length})`;
  attending = new Set(upcoming.map((entry) => entry.meetingId));
  loadMeetings();
}

// -- the sessions: one MeetingSession document per meeting, live -------------------------
function renderSessions(snapshot) {
  const list = $("sessions");
  list.replaceChildren();
  for (const docSnap of snapshot.docs) {
    const view = docSnap.data();
    const item = element("li", "session");
    item.dataset.meetingId = docSnap.id;
    const meta = `${view.locationName ?? "no room"} · ${view.numAttendees} attending`
      + ` · ${view.numHearingAids} hearing aid(s) · ${(view.attendeeNames ?? []).join(", ")}`;
    const leave = element("button", "leave", "Leave meeting");
    leave.type = "button";
    leave.addEventListener("click", () => changeAttendance("DELETE", docSnap.id));
    item.append(element("h3", "title", view.title), element("div", "meta", meta), leave);
    list.append(item);
  }
  $("count").textContent = `(${snapshot.size})`;
}

// -- every meeting: the public MeetingCard resource, through the REST API -----------------
let meetingsLoads = 0;  // the newest loadMeetings call: only its answer is rendered

async function loadMeetings() {
  const load = ++meetingsLoads;
  const response = await fetch(`${API}/meetingCards?limit=50`);
  if (!response.ok) return status(`Loading meetings failed: ${response.status}`);
  const cards = (await response.json()).items;
  if (load !== meetingsLoads) return;  // a newer load (after a newer agenda) renders instead
  // Built first and swapped in at once: the list is never seen empty or half-built.
  $("meetings").replaceChildren(...cards.map((card) => {
    const item = element("li", "meeting");
    item.dataset.meetingId = card.meetingId;
    item.append(element("span", "title", card.title), " ",
      element("span", "meta", `· ${card.locationName ?? "no room"} · ${card.numAttendees} attending`));
    if (card.status === "open" && !attending.has(card.meetingId)) {
      const join = element("button", "join", "Join");
      join.type = "button";
      join.addEventListener("click", () => changeAttendance("POST", card.meetingId));
      item.append(" ", join);
    }
    return item;
  }));
}

// Join: POST /api/meetings/{id}/attendees {uid}; leave: DELETE /api/meetings/{id}/attendees/{uid}.
async function changeAttendance(method, meetingId) {
  const user = auth.currentUser;
  const url = method === "POST"
    ? `${API}/meetings/${meetingId}/attendees`
    : `${API}/meetings/${meetingId}/attendees/${user.uid}`;
  const response = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${await user.getIdToken()}`, "Content-Type": "application/json" },
    body: method === "POST" ? JSON.stringify({ uid: user.uid }) : undefined,
  });
  const verb = method === "POST" ? "Joining" : "Leaving";
  status(response.ok ? "" : `${verb} failed: ${(await response.json()).error?.message ?? response.status}`);
}

onAuthStateChanged(auth, (user) => {
  stopListening.forEach((stop) => stop());
  stopListening = [];
  $("signin").hidden = Boolean(user);
  $("me").hidden = !user;
  if (!user) return;
  $("who").textContent = user.email;
  const failed = (what) => (error) => status(`Listening to ${what} failed: ${error.code}`);
  stopListening = [
    onSnapshot(doc(db, "userViews", user.uid), renderAgenda, failed("the agenda")),
    onSnapshot(collection(db, "users", user.uid, "meetingSessions"), renderSessions, failed("the sessions")),
  ];
});

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await signInWithEmailAndPassword(auth, $("email").value, $("password").value);
    status("");
  } catch (error) {
    status(`Sign-in failed: ${error.code}`);
  }
});
$("signout-button").addEventListener("click", () => signOut(auth));

// For the end-to-end test and for curious developers: try to read any document as the
// signed-in user; the rules decide.
window.flaskBoilerDemo = {
  async tryRead(path) {
    try {
      const snap = await getDoc(doc(db, path));
      return snap.exists() ? "allowed" : "allowed-missing";
    } catch (error) {
      return error.code;
    }
  },
};
