//go:build amd64 && !purego

#include "textflag.h"

// func vert16PairAVX2(xa, xb, ya, yb *uint16, aMu, aXX, aYY, aXY *uint64, n int, c uint32)
// For j in [0, n) (n a multiple of 4), in 64-bit lanes:
//   aMu += c*(xa+xb) + (c*(ya+yb))<<32
//   aXX += c*xa*xa + c*xb*xb;  aYY likewise;  aXY += c*xa*ya + c*xb*yb
TEXT ·vert16PairAVX2(SB), NOSPLIT, $0-76
	MOVQ xa+0(FP), AX
	MOVQ xb+8(FP), BX
	MOVQ ya+16(FP), CX
	MOVQ yb+24(FP), DX
	MOVQ aMu+32(FP), SI
	MOVQ aXX+40(FP), DI
	MOVQ aYY+48(FP), R8
	MOVQ aXY+56(FP), R9
	MOVQ n+64(FP), R11
	MOVL c+72(FP), R13
	VMOVQ R13, X15
	VPBROADCASTQ X15, Y15
	XORQ R12, R12

ploop:
	CMPQ R12, R11
	JGE  pdone
	VPMOVZXWQ (AX)(R12*2), Y0
	VPMOVZXWQ (BX)(R12*2), Y1
	VPMOVZXWQ (CX)(R12*2), Y2
	VPMOVZXWQ (DX)(R12*2), Y3

	// mu
	VPADDQ   Y0, Y1, Y4
	VPMULUDQ Y15, Y4, Y4
	VPADDQ   Y2, Y3, Y5
	VPMULUDQ Y15, Y5, Y5
	VPSLLQ   $32, Y5, Y5
	VPADDQ   Y4, Y5, Y4
	VPADDQ   (SI)(R12*8), Y4, Y4
	VMOVDQU  Y4, (SI)(R12*8)

	// c*x0, c*x1, c*y0, c*y1 (all below 2^32)
	VPMULUDQ Y15, Y0, Y6
	VPMULUDQ Y15, Y1, Y7
	VPMULUDQ Y15, Y2, Y8
	VPMULUDQ Y15, Y3, Y9

	// xx
	VPMULUDQ Y6, Y0, Y10
	VPMULUDQ Y7, Y1, Y11
	VPADDQ   Y10, Y11, Y10
	VPADDQ   (DI)(R12*8), Y10, Y10
	VMOVDQU  Y10, (DI)(R12*8)

	// yy
	VPMULUDQ Y8, Y2, Y10
	VPMULUDQ Y9, Y3, Y11
	VPADDQ   Y10, Y11, Y10
	VPADDQ   (R8)(R12*8), Y10, Y10
	VMOVDQU  Y10, (R8)(R12*8)

	// xy
	VPMULUDQ Y6, Y2, Y10
	VPMULUDQ Y7, Y3, Y11
	VPADDQ   Y10, Y11, Y10
	VPADDQ   (R9)(R12*8), Y10, Y10
	VMOVDQU  Y10, (R9)(R12*8)

	ADDQ $4, R12
	JMP  ploop

pdone:
	VZEROUPPER
	RET

// func vert16CenterAVX2(x, y *uint16, aMu, aXX, aYY, aXY *uint64, n int, c uint32)
// Sets aMu = c*x + (c*y)<<32, aXX = c*x*x, aYY = c*y*y, aXY = c*x*y.
TEXT ·vert16CenterAVX2(SB), NOSPLIT, $0-60
	MOVQ x+0(FP), AX
	MOVQ y+8(FP), CX
	MOVQ aMu+16(FP), SI
	MOVQ aXX+24(FP), DI
	MOVQ aYY+32(FP), R8
	MOVQ aXY+40(FP), R9
	MOVQ n+48(FP), R11
	MOVL c+56(FP), R13
	VMOVQ R13, X15
	VPBROADCASTQ X15, Y15
	XORQ R12, R12

cloop16:
	CMPQ R12, R11
	JGE  cdone16
	VPMOVZXWQ (AX)(R12*2), Y0
	VPMOVZXWQ (CX)(R12*2), Y2
	VPMULUDQ Y15, Y0, Y6
	VPMULUDQ Y15, Y2, Y8
	VPSLLQ   $32, Y8, Y4
	VPADDQ   Y6, Y4, Y4
	VMOVDQU  Y4, (SI)(R12*8)
	VPMULUDQ Y6, Y0, Y10
	VMOVDQU  Y10, (DI)(R12*8)
	VPMULUDQ Y8, Y2, Y10
	VMOVDQU  Y10, (R8)(R12*8)
	VPMULUDQ Y6, Y2, Y10
	VMOVDQU  Y10, (R9)(R12*8)
	ADDQ $4, R12
	JMP  cloop16

cdone16:
	VZEROUPPER
	RET
