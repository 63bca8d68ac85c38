// The page side of internal/browsertest: window.reel holds what the Go
// test polls (reel.state()) and the commands it sends (select, seek,
// play, pause, rate). A player page calls reel.start(adapter) with an adapter
// {levels(), current(), select(i)} over its player; the player reports
// its errors through reel.error.
(function () {
  'use strict';
  const video = document.querySelector('video');
  const s = {
    ready: false,
    player: '',
    version: '',
    errors: [],      // {fatal, type, details, message}
    played: {},      // "WxH" -> media seconds played at that decoded size
    frames: {},      // "WxH" -> frames presented (requestVideoFrameCallback)
    switches: [],    // decoded sizes in the order they appeared
  };
  let adapter = null;
  let lastTime = null;
  let lastSize = '';

  const ranges = (r) => {
    const out = [];
    for (let i = 0; i < r.length; i++) out.push([r.start(i), r.end(i)]);
    return out;
  };
  const size = () => video.videoWidth + 'x' + video.videoHeight;

  // Media time advancing while playing counts for the decoded size shown.
  video.addEventListener('timeupdate', () => {
    const t = video.currentTime;
    if (video.paused || video.seeking || video.readyState < 2 || video.videoWidth === 0) {
      lastTime = null;
      return;
    }
    if (lastTime !== null && t > lastTime && t - lastTime < 1.5) {
      s.played[size()] = (s.played[size()] || 0) + (t - lastTime);
    }
    lastTime = t;
  });
  video.addEventListener('seeking', () => { lastTime = null; });
  video.addEventListener('resize', () => {
    if (size() !== lastSize) { lastSize = size(); s.switches.push(lastSize); }
  });
  video.addEventListener('error', () => {
    const e = video.error;
    s.errors.push({fatal: true, type: 'media', details: 'MediaError ' + (e && e.code), message: (e && e.message) || ''});
  });
  if (video.requestVideoFrameCallback) {
    const onFrame = (now, md) => {
      const k = md.width + 'x' + md.height;
      s.frames[k] = (s.frames[k] || 0) + 1;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  window.reel = {
    video: video,
    start(name, version, a) { s.player = name; s.version = version; adapter = a; },
    setReady() { s.ready = true; },
    error(e) { s.errors.push(e); },
    select(i) { adapter.select(i); },
    seek(t) { video.currentTime = t; },
    play() {
      video.play().catch((e) => s.errors.push({fatal: true, type: 'play', details: e.name, message: e.message}));
    },
    pause() { video.pause(); },
    rate(r) { video.playbackRate = r; },
    state() {
      const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : {};
      return Object.assign({}, s, {
        levels: adapter && s.ready ? adapter.levels() : [],
        current: adapter && s.ready ? adapter.current() : -1,
        videoWidth: video.videoWidth,
        videoHeight: video.videoHeight,
        currentTime: video.currentTime,
        duration: isFinite(video.duration) ? video.duration : 0,
        ended: video.ended,
        paused: video.paused,
        seeking: video.seeking,
        buffered: ranges(video.buffered),
        readyState: video.readyState,
        totalFrames: q.totalVideoFrames || 0,
        droppedFrames: q.droppedVideoFrames || 0,
        audioBytes: video.webkitAudioDecodedByteCount || 0,
        videoBytes: video.webkitVideoDecodedByteCount || 0,
      });
    },
  };

  // The manifest to play: ?src=/media/master.m3u8
  reel.src = new URLSearchParams(location.search).get('src');
})();
