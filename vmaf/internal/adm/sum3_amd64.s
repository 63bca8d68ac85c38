//go:build amd64 && !purego

#include "textflag.h"

// func sum3WAVX2(a, b, c *int16, d *int32, n int)
// d[j] = int32(a[j]) + int32(b[j]) + int32(c[j]) for j < n (a multiple of 8).
TEXT ·sum3WAVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), BX
	MOVQ c+16(FP), CX
	MOVQ d+24(FP), DX
	MOVQ n+32(FP), R8
	XORQ R9, R9

wloop:
	CMPQ R9, R8
	JGE  wdone
	VPMOVSXWD (AX)(R9*2), Y0
	VPMOVSXWD (BX)(R9*2), Y1
	VPMOVSXWD (CX)(R9*2), Y2
	VPADDD Y1, Y0, Y0
	VPADDD Y2, Y0, Y0
	VMOVDQU Y0, (DX)(R9*4)
	ADDQ $8, R9
	JMP  wloop

wdone:
	VZEROUPPER
	RET

// func sum3DAVX2(a, b, c, d *int32, n int)
// d[j] = a[j] + b[j] + c[j] (wrapping) for j < n (a multiple of 8).
TEXT ·sum3DAVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), BX
	MOVQ c+16(FP), CX
	MOVQ d+24(FP), DX
	MOVQ n+32(FP), R8
	XORQ R9, R9

dloop:
	CMPQ R9, R8
	JGE  ddone
	VMOVDQU (AX)(R9*4), Y0
	VPADDD (BX)(R9*4), Y0, Y0
	VPADDD (CX)(R9*4), Y0, Y0
	VMOVDQU Y0, (DX)(R9*4)
	ADDQ $8, R9
	JMP  dloop

ddone:
	VZEROUPPER
	RET
