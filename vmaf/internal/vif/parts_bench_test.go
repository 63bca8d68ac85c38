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
