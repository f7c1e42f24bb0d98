// Follow / Following and "Remind me" on the watch page (issue 16). Only a signed-in viewer (a shop's viewer JWT) can
// follow or be reminded (the page signs in with the shop's token: watch-embed.js); a guest who taps is told to sign in. Every change of the follow state is dispatched on window as
// the DOM event `relay:follow` {following}, for the embedding code to forward to a framing page.
import { $, el, setText, reasonOf } from "./common.js";
import { t } from "./i18n.js";

/** Builds the buttons into #follow-slot and #remind-slot and answers the hooks watch.js calls. */
export function followUi(hub) {
  const state = { role: null, following: false, nextShowAt: null, remindedFor: null, busy: false };
  const followButton = el("button", { id: "follow", class: "btn btn-follow", type: "button", "aria-pressed": "false", hidden: true }, t("watch.follow.follow"));
  const remindButton = el("button", { id: "remind", class: "btn btn-ghost btn-remind", type: "button", hidden: true }, t("watch.follow.remind"));
  const status = el("p", { id: "follow-status", class: "follow-status", role: "status" });
  $("#follow-slot")?.append(followButton, status);
  $("#remind-slot")?.append(remindButton);

  const signedIn = () => state.role === "viewer";

  function render() {
    // Hosts and admins see their own page: nothing to follow.
    followButton.hidden = state.role === null || state.role === "host" || state.role === "admin";
    followButton.setAttribute("aria-pressed", String(state.following));
    followButton.classList.toggle("following", state.following);
    setText(followButton, t(state.following ? "watch.follow.following" : "watch.follow.follow"));
    const future = state.nextShowAt && state.nextShowAt.getTime() > Date.now();
    remindButton.hidden = followButton.hidden || !future;
    const reminded = future && state.remindedFor === state.nextShowAt.getTime();
    remindButton.disabled = !!reminded;
    setText(remindButton, t(reminded ? "watch.follow.reminded" : "watch.follow.remind"));
  }

  function setFollowing(following) {
    const changed = state.following !== following;
    state.following = following;
    render();
    if (changed) window.dispatchEvent(new CustomEvent("relay:follow", { detail: { following } }));
  }

  function refused(err) {
    const { reason } = reasonOf(err);
    setText(status, t(reason === "login_required" ? "watch.follow.signIn" : reason === "rate_limited" ? "watch.follow.slowDown" : "watch.follow.failed"));
  }

  followButton.addEventListener("click", async () => {
    if (!signedIn()) { setText(status, t("watch.follow.signIn")); return; }
    if (state.busy) return;
    state.busy = true;
    try {
      const result = await hub.invoke(state.following ? "Unfollow" : "Follow");
      setText(status, "");
      setFollowing(!!result.following);
    } catch (err) {
      refused(err);
    } finally {
      state.busy = false;
    }
  });

  remindButton.addEventListener("click", async () => {
    if (!signedIn()) { setText(status, t("watch.follow.signIn")); return; }
    const at = state.nextShowAt?.getTime();
    try {
      const result = await hub.invoke("RemindMe");
      if (result.reminded) state.remindedFor = at;
      setText(status, t("watch.follow.remindedHint"));
      render();
    } catch (err) {
      refused(err);
    }
  });

  return {
    /** The Join snapshot: who the viewer is and whether it follows. */
    joined(snap) {
      state.role = snap?.you?.role ?? null;
      setFollowing(!!snap?.you?.following);
    },
    /** The channel's next show (a Date or null), for "Remind me". */
    nextShow(at) {
      state.nextShowAt = at ?? null;
      render();
    },
  };
}
