//go:build amd64 && !purego

#include "textflag.h"

// func vert16RoundAVX2(aMu, aXX, aYY, aXY *uint64, tmu *uint64, txx, tyy, txy *uint32, n int, rndVP uint64, shVP uint64, rndSq uint64, shSq uint64)
// For j < n (a multiple of 4): tmu[j] = ((lo(aMu)+rndVP)>>shVP)&lo32 |
// (((hi(aMu)+rndVP)>>shVP)&lo32)<<32 and txx[j] = uint32((aXX[j]+rndSq)>>shSq),
// likewise tyy, txy.
TEXT ·vert16RoundAVX2(SB), NOSPLIT, $0-104
	MOVQ aMu+0(FP), AX
	MOVQ aXX+8(FP), BX
	MOVQ aYY+16(FP), CX
	MOVQ aXY+24(FP), DX
	MOVQ tmu+32(FP), SI
	MOVQ txx+40(FP), DI
	MOVQ tyy+48(FP), R8
	MOVQ txy+56(FP), R10
	MOVQ n+64(FP), R11
	VPBROADCASTQ rndVP+72(FP), Y10
	VMOVQ shVP+80(FP), X11
	VPBROADCASTQ rndSq+88(FP), Y12
	VMOVQ shSq+96(FP), X13
	VPCMPEQD Y14, Y14, Y14
	VPSRLQ $32, Y14, Y14 // lo32 in each qword
	XORQ R9, R9

loop:
	CMPQ R9, R11
	JGE  done
	VMOVDQU (AX)(R9*8), Y0
	VPAND   Y14, Y0, Y1
	VPSRLQ  $32, Y0, Y2
	VPADDQ  Y10, Y1, Y1
	VPADDQ  Y10, Y2, Y2
	VPSRLQ  X11, Y1, Y1
	VPSRLQ  X11, Y2, Y2
	VPAND   Y14, Y1, Y1
	VPSLLQ  $32, Y2, Y2
	VPOR    Y2, Y1, Y1
	VMOVDQU Y1, (SI)(R9*8)
	VMOVDQU (BX)(R9*8), Y3
	VMOVDQU (CX)(R9*8), Y4
	VMOVDQU (DX)(R9*8), Y5
	VPADDQ  Y12, Y3, Y3
	VPADDQ  Y12, Y4, Y4
	VPADDQ  Y12, Y5, Y5
	VPSRLQ  X13, Y3, Y3
	VPSRLQ  X13, Y4, Y4
	VPSRLQ  X13, Y5, Y5
	VPSHUFD $0x08, Y3, Y3
	VPSHUFD $0x08, Y4, Y4
	VPSHUFD $0x08, Y5, Y5
	VPERMQ  $0x08, Y3, Y3
	VPERMQ  $0x08, Y4, Y4
	VPERMQ  $0x08, Y5, Y5
	VMOVDQU X3, (DI)(R9*4)
	VMOVDQU X4, (R8)(R9*4)
	VMOVDQU X5, (R10)(R9*4)
	ADDQ $4, R9
	JMP  loop

done:
	VZEROUPPER
	RET
