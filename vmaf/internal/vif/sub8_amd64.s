//go:build amd64 && !purego

#include "textflag.h"

// func sub8PairAVX2(xa, xb, ya, yb *uint8, ar, ad *uint32, n int, c uint32)
// ar += c*(xa+xb), ad += c*(ya+yb) for n elements (n a multiple of 8).
TEXT ·sub8PairAVX2(SB), NOSPLIT, $0-60
	MOVQ xa+0(FP), AX
	MOVQ xb+8(FP), BX
	MOVQ ya+16(FP), CX
	MOVQ yb+24(FP), DX
	MOVQ ar+32(FP), SI
	MOVQ ad+40(FP), DI
	MOVQ n+48(FP), R11
	MOVL c+56(FP), R13
	VMOVD R13, X15
	VPBROADCASTD X15, Y15
	XORQ R12, R12

sloop:
	CMPQ R12, R11
	JGE  sdone
	VPMOVZXBD (AX)(R12*1), Y0
	VPMOVZXBD (BX)(R12*1), Y1
	VPMOVZXBD (CX)(R12*1), Y2
	VPMOVZXBD (DX)(R12*1), Y3
	VPADDD   Y0, Y1, Y4
	VPMULLD  Y15, Y4, Y4
	VPADDD   (SI)(R12*4), Y4, Y4
	VMOVDQU  Y4, (SI)(R12*4)
	VPADDD   Y2, Y3, Y5
	VPMULLD  Y15, Y5, Y5
	VPADDD   (DI)(R12*4), Y5, Y5
	VMOVDQU  Y5, (DI)(R12*4)
	ADDQ $8, R12
	JMP  sloop

sdone:
	VZEROUPPER
	RET

// func sub8CenterAVX2(x, y *uint8, ar, ad *uint32, n int, c uint32)
// ar = c*x, ad = c*y for n elements (n a multiple of 8).
TEXT ·sub8CenterAVX2(SB), NOSPLIT, $0-44
	MOVQ x+0(FP), AX
	MOVQ y+8(FP), CX
	MOVQ ar+16(FP), SI
	MOVQ ad+24(FP), DI
	MOVQ n+32(FP), R11
	MOVL c+40(FP), R13
	VMOVD R13, X15
	VPBROADCASTD X15, Y15
	XORQ R12, R12

scloop:
	CMPQ R12, R11
	JGE  scdone
	VPMOVZXBD (AX)(R12*1), Y0
	VPMOVZXBD (CX)(R12*1), Y2
	VPMULLD  Y15, Y0, Y4
	VMOVDQU  Y4, (SI)(R12*4)
	VPMULLD  Y15, Y2, Y5
	VMOVDQU  Y5, (DI)(R12*4)
	ADDQ $8, R12
	JMP  scloop

scdone:
	VZEROUPPER
	RET
