package av

// libx264's AVX-512 kernels read memory that x264 never initialised, and
// what they read reaches the bitstream: at some sizes (e.g. 320x180 with a
// mbtree/CRF encode) the same frames give different bytes depending on
// what was left in the heap. In a single-threaded process the heap's
// leftovers are the same from run to run, so the ffmpeg CLI looks
// deterministic; in reel's Go process the cgo calls of one encode hop
// between OS threads, hence between glibc malloc arenas, so the leftovers
// (and the output) depend on scheduling, i.e. on CPU load. The AVX2 and
// older kernels do not do this. Output must be reproducible (a re-encoded
// chunk must be byte-identical), so x264 is told to use every instruction
// set it detects except AVX-512.
//
// The mask comes from the libx264 that libavcodec loaded (x264_cpu_detect
// and x264_cpu_names, both exported by libx264), so no flag the CPU lacks
// is ever enabled; when libx264 is not loaded, or the CPU has no AVX-512,
// x264 keeps its own choice.

//#cgo LDFLAGS: -ldl
//#define _GNU_SOURCE
//#include <dlfcn.h>
//#include <stdint.h>
//#include <string.h>
//
//typedef struct { const char *name; uint32_t flags; } reel_x264_cpu_name;
//
//static uint32_t reel_x264_flag(const reel_x264_cpu_name *names, const char *want) {
//	for (int i = 0; names[i].flags; i++)
//		if (names[i].name && strcmp(names[i].name, want) == 0)
//			return names[i].flags;
//	return 0;
//}
//
//// reel_x264_cpu_without_avx512 returns x264's detected CPU flags minus
//// AVX-512, or -1 when libx264 is not loaded or AVX-512 is not in use.
//static int64_t reel_x264_cpu_without_avx512(void) {
//	uint32_t (*detect)(void) = (uint32_t (*)(void))dlsym(RTLD_DEFAULT, "x264_cpu_detect");
//	const reel_x264_cpu_name *names = (const reel_x264_cpu_name *)dlsym(RTLD_DEFAULT, "x264_cpu_names");
//	if (!detect || !names)
//		return -1;
//	uint32_t avx512 = reel_x264_flag(names, "AVX512"), avx2 = reel_x264_flag(names, "AVX2");
//	// Each name's flags include those of the sets it implies.
//	uint32_t bit = avx512 & ~avx2;
//	if (!avx512 || !avx2 || !bit)
//		return -1;
//	uint32_t cpu = detect();
//	if (!(cpu & bit))
//		return -1;
//	return (int64_t)(cpu & ~bit);
//}
import "C"

import (
	"strconv"
	"strings"
	"sync"
)

var x264CPU = sync.OnceValue(func() int64 { return int64(C.reel_x264_cpu_without_avx512()) })

// x264Options returns opts with x264's "asm" parameter added to its
// x264-params (or a new x264-params), so that libx264 avoids AVX-512; opts
// is returned unchanged when that is not needed or the caller chose asm.
func x264Options(opts [][2]string) [][2]string {
	cpu := x264CPU()
	if cpu < 0 {
		return opts
	}
	asm := "asm=" + strconv.FormatInt(cpu, 10) // x264 reads a decimal mask
	out := make([][2]string, 0, len(opts)+1)
	found := false
	for _, kv := range opts {
		if kv[0] == "x264-params" {
			found = true
			for _, p := range strings.Split(kv[1], ":") {
				if k, _, _ := strings.Cut(p, "="); k == "asm" || k == "no-asm" {
					return opts
				}
			}
			if kv[1] == "" {
				kv[1] = asm
			} else {
				kv[1] += ":" + asm
			}
		}
		out = append(out, kv)
	}
	if !found {
		out = append(out, [2]string{"x264-params", asm})
	}
	return out
}
