package vif

import "testing"

func benchSetup(b *testing.B) (*workspace, []uint8, []uint8) {
	ref, dis := synthPair(1920, 1080, 8, 1)
	ws := newWorkspace(1920, 1080)
	b.ResetTimer()
	return ws, ref.Pix8, dis.Pix8
}

func BenchmarkPartVertical8(b *testing.B) {
	ws, r, d := benchSetup(b)
	for b.Loop() {
		for i := 0; i < 1080; i++ {
			vertical8(ws, r, d, 1923, 1921, 1920, 1080, i)
		}
	}
}

func BenchmarkPartHorizontal17(b *testing.B) {
	ws, _, _ := benchSetup(b)
	for b.Loop() {
		for i := 0; i < 1080; i++ {
			horizontal17(ws, 1920)
		}
	}
}

func BenchmarkPartAccumulate(b *testing.B) {
	ws, r, d := benchSetup(b)
	vertical8(ws, r, d, 1923, 1921, 1920, 1080, 500)
	padRow(ws.tmu, 1920, 8)
	padRow(ws.txx, 1920, 8)
	padRow(ws.tyy, 1920, 8)
	padRow(ws.txy, 1920, 8)
	horizontal17(ws, 1920)
	for b.Loop() {
		var st stats
		for i := 0; i < 1080; i++ {
			st.accumulate(ws.a0[:1920], ws.a1[:1920], ws.a2[:1920], ws.a3[:1920], &egls{n: 1, v: [MaxOptions]float64{100}})
		}
	}
}

// BenchmarkPartAccumulateRows is accumulate over the real filtered rows
// of a 1080p frame (each row once, as in Compute), asm and Go.
func BenchmarkPartAccumulateRows(b *testing.B) {
	ref, dis := synthPair(1920, 1080, 8, 1)
	ws := newWorkspace(1920, 1080)
	const rows = 64
	var a [rows][4][]uint64
	for i := range a {
		vertical8(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, 1920, 1080, i*16)
		padRow(ws.tmu, 1920, 8)
		padRow(ws.txx, 1920, 8)
		padRow(ws.tyy, 1920, 8)
		padRow(ws.txy, 1920, 8)
		horizontal17(ws, 1920)
		a[i] = [4][]uint64{append([]uint64(nil), ws.a0...), append([]uint64(nil), ws.a1...), append([]uint64(nil), ws.a2...), append([]uint64(nil), ws.a3...)}
	}
	egl := &egls{n: 1, v: [MaxOptions]float64{100}}
	run := func(b *testing.B, asm bool) {
		for b.Loop() {
			var st stats
			for i := range a {
				if asm {
					st.accumulate(a[i][0], a[i][1], a[i][2], a[i][3], egl)
				} else {
					st.accumulateGo(a[i][0], a[i][1], a[i][2], a[i][3], egl)
				}
			}
		}
	}
	b.Run("go", func(b *testing.B) { run(b, false) })
	if hasAVX2 {
		b.Run("asm", func(b *testing.B) { run(b, true) })
	}
}
