// The front end of the example: it signs in against Firebase Auth and listens on the
// signed-in user's *view documents*. It never reads domain documents (the rules deny it),
// and changes data only through the REST API, whose writes the triggers turn into new views.
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, onAuthStateChanged, signInWithEmailAndPassword, signOut } from "firebase/auth";
import { collection, connectFirestoreEmulator, doc, getDoc, getFirestore, onSnapshot } from "firebase/firestore";

const config = await (await fetch("config.json")).json();
const app = initializeApp({ projectId: config.projectId, apiKey: config.apiKey, authDomain: `${config.projectId}.firebaseapp.com` });
const auth = getAuth(app);
const db = getFirestore(app);
if (config.authHost) connectAuthEmulator(auth, `http://${config.authHost}`, { disableWarnings: true });
if (config.firestoreHost) {
  const [host, port] = config.firestoreHost.split(":");
  connectFirestoreEmulator(db, host, Number(port));
}

const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text; };
let stopListening = () => {};

function renderSessions(snapshot) {
  const list = $("sessions");
  list.replaceChildren();
  for (const docSnap of snapshot.docs) {
    const view = docSnap.data();
    const item = document.createElement("li");
    item.className = "session";
    item.dataset.meetingId = docSnap.id;
    const title = document.createElement("h3");
    title.className = "title";
    title.textContent = view.title;
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `${view.locationName ?? "no room"} · ${view.numAttendees} attending`
      + ` · ${view.numHearingAids} hearing aid(s) · ${(view.attendeeNames ?? []).join(", ")}`;
    item.append(title, meta);
    if (config.apiBase) {
      const leave = document.createElement("button");
      leave.type = "button";
      leave.className = "leave";
      leave.textContent = "Leave meeting";
      leave.addEventListener("click", () => leaveMeeting(docSnap.id));
      item.append(leave);
    }
    list.append(item);
  }
  $("count").textContent = `(${snapshot.size})`;
}

async function leaveMeeting(meetingId) {
  const user = auth.currentUser;
  const token = await user.getIdToken();
  const response = await fetch(`${config.apiBase}/meetings/${meetingId}/attendees/${user.uid}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}` },
  });
  status(response.ok ? "" : `Leaving failed: ${(await response.json()).error?.message ?? response.status}`);
}

onAuthStateChanged(auth, (user) => {
  stopListening();
  $("signin").hidden = Boolean(user);
  $("me").hidden = !user;
  if (!user) return;
  $("who").textContent = user.email;
  stopListening = onSnapshot(
    collection(db, "users", user.uid, "meetingSessions"),
    renderSessions,
    (error) => status(`Listening failed: ${error.code}`),
  );
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
