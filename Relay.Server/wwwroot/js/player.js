// The live player: HTTP-FLV through mpegts.js where Media Source Extensions exist (lowest delay),
// HLS otherwise (native on iOS Safari, hls.js where only ManagedMediaSource exists): the low-latency rendition
// (/live/{id}/ll/, parts of 0.2 s) first, the classic one when the server has no low-latency HLS (404).
// It never decides on its own whether the show is live: the page says so from the hub's status events,
// and while live a failed or stalled stream is retried with a growing pause.

const STALL_MS = 8000;

export class LivePlayer {
  constructor(video, channelId, { onState, forceHls = false, accessToken = null } = {}) {
    this.video = video;
    this.channelId = channelId;
    // The studio's preview asks with the host key, read at each start so a rotated key is used from then on.
    this.accessToken = accessToken;
    this.onState = onState ?? (() => {});
    this.forceHls = forceHls;
    this.hlsVariant = "ll";
    this.wanted = false;
    this.engine = null;
    this.failures = 0;
    this.retryTimer = 0;
    this.lastProgress = { time: -1, at: 0 };
    this.firstFrameAt = null;
    // Media-time cues (docs/pages.md): the stream time minus the media time of the picture, learned from the last
    // onCuePoint the FLV carried; null until one came (and on HLS, which carries none).
    this.streamOffsetMs = null;
    this.onCuePoint = null;
    this.watchdog = setInterval(() => this.checkStall(), 2000);
    video.addEventListener("timeupdate", () => {
      if (video.currentTime !== this.lastProgress.time) {
        this.lastProgress = { time: video.currentTime, at: performance.now() };
        this.failures = 0;
      }
    });
    video.addEventListener("playing", () => this.onState("playing"));
    video.addEventListener("waiting", () => this.onState("buffering"));
    this.watchFirstFrame();
  }

  get flvUrl() {
    const url = `/live/${encodeURIComponent(this.channelId)}.flv`;
    const token = this.accessToken?.();
    return token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
  }
  get hlsUrl() {
    const base = `/live/${encodeURIComponent(this.channelId)}`;
    return this.hlsVariant === "ll" ? `${base}/ll/index.m3u8` : `${base}/index.m3u8`;
  }

  /** The low-latency playlist answered 404 "disabled": use the classic rendition from now on. */
  async fallBackFromLowLatency() {
    if (this.hlsVariant !== "ll") return false;
    try {
      const answer = await fetch(this.hlsUrl, { method: "GET" });
      if (answer.status !== 404) return false;
      const problem = await answer.json().catch(() => null);
      if (!/disabled/.test(problem?.title ?? "")) return false;
    } catch {
      return false;
    }
    this.hlsVariant = "classic";
    return true;
  }

  /** performance.now() of the first decoded frame presented, for the first-frame-time measurement. */
  watchFirstFrame() {
    const mark = () => {
      if (this.firstFrameAt !== null) return;
      this.firstFrameAt = performance.now();
      this.video.dataset.firstFrameMs = String(Math.round(this.firstFrameAt));
    };
    if ("requestVideoFrameCallback" in this.video) this.video.requestVideoFrameCallback(mark);
    else this.video.addEventListener("loadeddata", mark, { once: true });
  }

  chooseEngine() {
    const mpegts = window.mpegts;
    if (!this.forceHls && mpegts?.getFeatureList?.().mseLivePlayback) return "flv";
    // Where MSE exists, hls.js: desktop Chromium now answers "maybe" for native HLS but did not play these
    // TS segments in our browser test. Native HLS is for iOS Safari, which has no (live-capable) MSE.
    if (window.MediaSource || window.ManagedMediaSource) return "hls.js";
    if (this.video.canPlayType("application/vnd.apple.mpegurl")) return "native-hls";
    return "hls.js";
  }

  setLive(live) {
    this.wanted = live;
    if (live) this.start();
    else this.stop();
  }

  start() {
    clearTimeout(this.retryTimer);
    this.destroyEngine();
    if (!this.wanted) return;
    const kind = this.chooseEngine();
    this.onState("connecting", kind);
    this.lastProgress = { time: -1, at: performance.now() };
    if (kind === "flv") this.startFlv();
    else if (kind === "native-hls") this.startNativeHls();
    else this.startHlsJs();
  }

  startFlv() {
    const mpegts = window.mpegts;
    // mpegts.js logs every segment at debug level; keep the console for what matters.
    mpegts.LoggingControl.enableVerbose = false;
    mpegts.LoggingControl.enableDebug = false;
    mpegts.LoggingControl.enableInfo = false;
    const player = mpegts.createPlayer(
      { type: "flv", isLive: true, url: new URL(this.flvUrl, location.href).href, hasAudio: true, hasVideo: true },
      {
        enableWorker: false,
        enableStashBuffer: false,         // hand bytes to the decoder at once: the server already starts at a keyframe
        lazyLoad: false,
        // The server starts a viewer at the last keyframe, up to a GOP (2 s) behind live. liveSync plays a little
        // faster until the buffer is down to the target (barely audible at 1.15x); a buffer that still grows past
        // MaxLatency (tab in background, network burst) is cut with a jump. Measured: docs/pages.md.
        liveSync: true,
        liveSyncMaxLatency: 0.6,
        liveSyncTargetLatency: 0.35,
        liveSyncPlaybackRate: 1.15,
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: 1.0,
        liveBufferLatencyMinRemain: 0.5,
        autoCleanupSourceBuffer: true,
      });
    player.on(mpegts.Events.SCRIPTDATA_ARRIVED, data => this.cuePointArrived(data?.onCuePoint));
    player.on(mpegts.Events.ERROR, () => this.fail());
    player.on(mpegts.Events.LOADING_COMPLETE, () => this.fail()); // the server ended the stream (publisher left)
    player.attachMediaElement(this.video);
    player.load();
    this.play();
    this.engine = { kind: "flv", destroy: () => { player.pause(); player.unload(); player.detachMediaElement(); player.destroy(); } };
  }

  /** True while the picture comes from HTTP-FLV, whose onCuePoint tags say when a host action happened in it. */
  get playingFlv() { return this.wanted && this.engine?.kind === "flv"; }

  /**
   * mpegts.js hands script tags over as it demuxes them, without their timestamp, and plays FLV timestamps from the
   * first frame it got. The tag is demuxed right after the frames of its moment, so the end of what is buffered then is
   * that moment in media time (off by one demuxed chunk at most).
   */
  cuePointArrived(cue) {
    if (!cue || typeof cue.time !== "number") return;
    const b = this.video.buffered;
    const mediaTime = b.length ? b.end(b.length - 1) : this.video.currentTime;
    this.streamOffsetMs = cue.time * 1000 - mediaTime * 1000;
    this.onCuePoint?.(cue.parameters ?? {}, mediaTime);
  }

  /** The media time (video.currentTime) of a stream time, or null while no cue point told the mapping. */
  mediaTimeOf(streamTimeMs) {
    return this.streamOffsetMs === null ? null : (streamTimeMs - this.streamOffsetMs) / 1000;
  }

  startNativeHls() {
    this.video.src = this.hlsUrl;
    const onError = async () => { if (await this.fallBackFromLowLatency()) this.start(); else this.fail(); };
    this.video.addEventListener("error", onError, { once: true });
    this.play();
    this.engine = { destroy: () => { this.video.removeEventListener("error", onError); this.video.removeAttribute("src"); this.video.load(); } };
  }

  async startHlsJs() {
    try {
      await loadScript("/lib/hls.min.js");
    } catch {
      this.onState("unsupported");
      return;
    }
    const Hls = window.Hls;
    if (!Hls?.isSupported()) {
      this.onState("unsupported");
      return;
    }
    // lowLatencyMode: blocking playlist reloads and parts, playing PART-HOLD-BACK (three parts) behind the live edge.
    // A user-set liveSyncDuration(Count) would override PART-HOLD-BACK: set it for the classic rendition only.
    const config = this.hlsVariant === "ll"
      ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.15, backBufferLength: 30 }
      : { lowLatencyMode: true, liveSyncDurationCount: 2, backBufferLength: 30 };
    const hls = new Hls(config);
    hls.on(Hls.Events.ERROR, async (_, data) => {
      if (!data.fatal) return;
      if (await this.fallBackFromLowLatency()) this.start(); else this.fail();
    });
    hls.loadSource(this.hlsUrl);
    hls.attachMedia(this.video);
    this.play();
    this.engine = { destroy: () => hls.destroy() };
  }

  play() {
    const p = this.video.play();
    // Browsers refuse unmuted autoplay; the video starts muted and the page offers "tap to unmute".
    p?.catch?.(() => this.onState("blocked"));
  }

  fail() {
    if (!this.wanted) return;
    this.destroyEngine();
    this.failures++;
    const delay = Math.min(8000, 500 * 2 ** Math.min(this.failures, 4));
    this.onState("retrying", delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), delay);
  }

  checkStall() {
    // No progress for a while although the room says live: the connection died silently (proxy, Wi-Fi switch).
    if (this.wanted && this.engine && performance.now() - this.lastProgress.at > STALL_MS) this.fail();
  }

  stop() {
    clearTimeout(this.retryTimer);
    this.destroyEngine();
    this.onState("offline");
  }

  destroyEngine() {
    // A new connection starts its media time again: the mapping is learned anew.
    this.streamOffsetMs = null;
    if (!this.engine) return;
    try { this.engine.destroy(); } catch { /* a half-started engine may throw on teardown; it is gone either way */ }
    this.engine = null;
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) return resolve();
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = reject;
    document.head.append(s);
  });
}
