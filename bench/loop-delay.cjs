// Preloaded (`node --require bench/loop-delay.cjs ...`) into every server `npm run bench` starts, the project's
// and the baselines alike. It measures inside the server process what no client can see from outside: how
// late the event loop ran its timers (perf_hooks.monitorEventLoopDelay) and how much CPU the process used.
// The benchmark talks to it over the IPC channel it opens when it spawns the server:
//   { bench: 'reset' }  -> starts a new measurement, answers { bench: 'reset' }
//   { bench: 'report' } -> answers { bench: 'report', loopDelay: { p50Ms, p99Ms, maxMs }, cpuMs,
//                          gc: { minorMs, minorCount, majorMs, majorCount, heapUsedMb } }
//   { bench: 'cpu-profile-start' }, then { bench: 'cpu-profile-stop', file } -> V8's CPU profiler (the one behind
//   `node --cpu-prof`, same 1 ms sampling) over exactly the measured load, written to `file` as a .cpuprofile
// Plain JavaScript so that it loads into the compiled server (dist/server.js) without a TypeScript hook.
'use strict';
const { writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');
const { constants, monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

if (typeof process.send === 'function') {
  // The histogram records the time between ticks of a RESOLUTION_MS timer: the delay is what exceeds it.
  const RESOLUTION_MS = 10;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let cpuSince = process.cpuUsage();
  const beyondTimer = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  let gc = { minorMs: 0, minorCount: 0, majorMs: 0, majorCount: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minorMs += entry.duration;
        gc.minorCount += 1;
      } else if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.majorMs += entry.duration;
        gc.majorCount += 1;
      }
    }
  }).observe({ entryTypes: ['gc'] });

  let session;
  process.on('message', (message) => {
    if (!message || typeof message !== 'object') return;
    if (message.bench === 'reset') {
      histogram.reset();
      cpuSince = process.cpuUsage();
      gc = { minorMs: 0, minorCount: 0, majorMs: 0, majorCount: 0 };
      process.send({ bench: 'reset' });
    } else if (message.bench === 'report') {
      const cpu = process.cpuUsage(cpuSince);
      process.send({
        bench: 'report',
        loopDelay: {
          p50Ms: beyondTimer(histogram.percentile(50)),
          p99Ms: beyondTimer(histogram.percentile(99)),
          maxMs: beyondTimer(histogram.max),
        },
        cpuMs: (cpu.user + cpu.system) / 1000,
        gc: { ...gc, heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 },
      });
    } else if (message.bench === 'cpu-profile-start') {
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () =>
        session.post('Profiler.start', () => process.send({ bench: 'cpu-profile-start' })),
      );
    } else if (message.bench === 'cpu-profile-stop' && session) {
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(message.file, JSON.stringify(result.profile));
        session.disconnect();
        process.send({ bench: 'cpu-profile-stop', error: error ? String(error) : undefined });
      });
    }
  });
  // The channel must not keep a server alive that is otherwise shutting down.
  process.channel?.unref();
}
