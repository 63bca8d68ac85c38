//go:build amd64 && !purego

#include "textflag.h"

// MAX1 turns the non-negative int32 lanes of X(t) that are 0 into 1
// (FFMAX(1, t) without SSE4.1); X0 must be zero. Clobbers X7.
#define MAX1(t) \
	MOVOU t, X7; PCMPEQL X0, X7; PSRLL $31, X7; PADDL X7, t

// func blockHorizSSE2(d *int32, acc *float32, n int)
// For k < n (n a positive multiple of 4), with d pointing at column i and
// acc at acc[i]: g = d[k], t = max(1, d[k−3]+…+d[k+3] − g),
// acc[k] += float32(g) / float32(t). DIVPS and ADDPS round each lane as
// the scalar operations do.
TEXT ·blockHorizSSE2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), SI
	MOVQ acc+8(FP), DI
	MOVQ n+16(FP), CX
	PXOR X0, X0
	XORQ AX, AX

hloop:
	MOVOU -12(SI)(AX*4), X1
	MOVOU -8(SI)(AX*4), X2
	PADDL X2, X1
	MOVOU -4(SI)(AX*4), X2
	PADDL X2, X1
	MOVOU 4(SI)(AX*4), X2
	PADDL X2, X1
	MOVOU 8(SI)(AX*4), X2
	PADDL X2, X1
	MOVOU 12(SI)(AX*4), X2
	PADDL X2, X1
	MAX1(X1)
	MOVOU (SI)(AX*4), X2
	CVTPL2PS X2, X2
	CVTPL2PS X1, X1
	DIVPS X1, X2
	MOVUPS (DI)(AX*4), X3
	ADDPS X2, X3
	MOVUPS X3, (DI)(AX*4)
	ADDQ $4, AX
	CMPQ AX, CX
	JLT hloop
	RET

// func blockVertSSE2(cur, win *int32, q *float32, n int)
// q[k] = float32(cur[k]) / float32(max(1, win[k] − cur[k])) for k < n (n a
// positive multiple of 4).
TEXT ·blockVertSSE2(SB), NOSPLIT, $0-32
	MOVQ cur+0(FP), SI
	MOVQ win+8(FP), DX
	MOVQ q+16(FP), DI
	MOVQ n+24(FP), CX
	PXOR X0, X0
	XORQ AX, AX

vloop:
	MOVOU (SI)(AX*4), X2
	MOVOU (DX)(AX*4), X1
	PSUBL X2, X1
	MAX1(X1)
	CVTPL2PS X2, X2
	CVTPL2PS X1, X1
	DIVPS X1, X2
	MOVUPS X2, (DI)(AX*4)
	ADDQ $4, AX
	CMPQ AX, CX
	JLT vloop
	RET

// func absDiffSSE2(dst *int32, a, b *byte, n int)
// dst[k] = |a[k] − b[k]| for k < n (n a positive multiple of 16).
TEXT ·absDiffSSE2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	PXOR X0, X0
	XORQ AX, AX

aloop:
	MOVOU (SI)(AX*1), X1
	MOVOU (DX)(AX*1), X2
	MOVOU X1, X3
	PSUBUSB X2, X1
	PSUBUSB X3, X2
	POR X2, X1
	MOVOU X1, X2
	PUNPCKLBW X0, X1
	PUNPCKHBW X0, X2
	MOVOU X1, X3
	PUNPCKLWL X0, X1
	PUNPCKHWL X0, X3
	MOVOU X1, (DI)(AX*4)
	MOVOU X3, 16(DI)(AX*4)
	MOVOU X2, X3
	PUNPCKLWL X0, X2
	PUNPCKHWL X0, X3
	MOVOU X2, 32(DI)(AX*4)
	MOVOU X3, 48(DI)(AX*4)
	ADDQ $16, AX
	CMPQ AX, CX
	JLT aloop
	RET

// WIDEN loads 8 bytes at off(reg)(AX*1) as words into X(dst).
#define WIDEN(off, reg, dst) \
	MOVQ off(reg)(AX*1), dst; PUNPCKLBW X0, dst

// func sobelMagSSE2(up, mid, dn *byte, grad *uint16, n int)
// For k < n (n a positive multiple of 8), with the row pointers at the
// first output column: grad[k] = |gx| + |gy| of ffmpeg's Sobel.
TEXT ·sobelMagSSE2(SB), NOSPLIT, $0-40
	MOVQ up+0(FP), SI
	MOVQ mid+8(FP), DX
	MOVQ dn+16(FP), R8
	MOVQ grad+24(FP), DI
	MOVQ n+32(FP), CX
	PXOR X0, X0
	XORQ AX, AX

sloop:
	WIDEN(-1, SI, X1)  // up[i-1]
	WIDEN(1, SI, X2)   // up[i+1]
	WIDEN(-1, R8, X3)  // dn[i-1]
	WIDEN(1, R8, X4)   // dn[i+1]
	MOVOU X4, X5
	PSUBW X1, X5       // a = dn[i+1] − up[i-1]
	MOVOU X2, X6
	PSUBW X3, X6       // c = up[i+1] − dn[i-1]
	// gx = a + c + 2·(mid[i+1] − mid[i-1])
	WIDEN(1, DX, X1)
	WIDEN(-1, DX, X2)
	PSUBW X2, X1
	PADDW X1, X1
	PADDW X5, X1
	PADDW X6, X1
	// gy = a − c + 2·(dn[i] − up[i])
	WIDEN(0, R8, X2)
	WIDEN(0, SI, X3)
	PSUBW X3, X2
	PADDW X2, X2
	PADDW X5, X2
	PSUBW X6, X2
	// |gx| + |gy|
	MOVOU X0, X3
	PSUBW X1, X3
	PMAXSW X3, X1
	MOVOU X0, X3
	PSUBW X2, X3
	PMAXSW X3, X2
	PADDW X2, X1
	MOVOU X1, (DI)(AX*2)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT sloop
	RET
