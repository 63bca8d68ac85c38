//go:build amd64 && !purego

#include "textflag.h"

// Scale-0 17-tap filter: vr8w<> holds each pair tap k (0..8) as two packed
// words (c | c<<16) for VPMADDWD, vr8d<> as a dword for VPMULLD.
DATA vr8w<>+0(SB)/4, $0x01e901e9
DATA vr8w<>+4(SB)/4, $0x03a703a7
DATA vr8w<>+8(SB)/4, $0x06680668
DATA vr8w<>+12(SB)/4, $0x0a500a50
DATA vr8w<>+16(SB)/4, $0x0f380f38
DATA vr8w<>+20(SB)/4, $0x149a149a
DATA vr8w<>+24(SB)/4, $0x19931993
DATA vr8w<>+28(SB)/4, $0x1d1f1d1f
DATA vr8w<>+32(SB)/4, $0x1e681e68
GLOBL vr8w<>(SB), RODATA|NOPTR, $36

DATA vr8d<>+0(SB)/4, $489
DATA vr8d<>+4(SB)/4, $935
DATA vr8d<>+8(SB)/4, $1640
DATA vr8d<>+12(SB)/4, $2640
DATA vr8d<>+16(SB)/4, $3896
DATA vr8d<>+20(SB)/4, $5274
DATA vr8d<>+24(SB)/4, $6547
DATA vr8d<>+28(SB)/4, $7455
DATA vr8d<>+32(SB)/4, $7784
DATA vr8d<>+36(SB)/4, $128
GLOBL vr8d<>(SB), RODATA|NOPTR, $40

// PAIR adds taps k (rows k and 16-k) to the accumulators Y0..Y4.
#define PAIR(k, kb) \
	MOVQ (8*k)(AX), BX; \
	MOVQ (8*kb)(AX), CX; \
	MOVQ (8*(17+k))(AX), DX; \
	MOVQ (8*(17+kb))(AX), SI; \
	VPMOVZXBD (BX)(R12*1), Y5; \
	VPMOVZXBD (CX)(R12*1), Y6; \
	VPSLLD $16, Y6, Y6; \
	VPOR Y6, Y5, Y5; \
	VPMOVZXBD (DX)(R12*1), Y6; \
	VPMOVZXBD (SI)(R12*1), Y7; \
	VPSLLD $16, Y7, Y7; \
	VPOR Y7, Y6, Y6; \
	VPBROADCASTD vr8w<>+(4*k)(SB), Y8; \
	VPBROADCASTD vr8d<>+(4*k)(SB), Y9; \
	VPMADDWD Y8, Y5, Y10; \
	VPADDD Y10, Y0, Y0; \
	VPMADDWD Y8, Y6, Y11; \
	VPADDD Y11, Y1, Y1; \
	VPMADDWD Y5, Y5, Y12; \
	VPMULLD Y9, Y12, Y12; \
	VPADDD Y12, Y2, Y2; \
	VPMADDWD Y6, Y6, Y13; \
	VPMULLD Y9, Y13, Y13; \
	VPADDD Y13, Y3, Y3; \
	VPMADDWD Y6, Y5, Y14; \
	VPMULLD Y9, Y14, Y14; \
	VPADDD Y14, Y4, Y4

// func vert8RowAVX2(rows *[34]*uint8, tmu *uint64, txx, tyy, txy *uint32, n int)
TEXT ·vert8RowAVX2(SB), NOSPLIT, $0-48
	MOVQ rows+0(FP), AX
	MOVQ tmu+8(FP), DI
	MOVQ txx+16(FP), R8
	MOVQ tyy+24(FP), R9
	MOVQ txy+32(FP), R10
	MOVQ n+40(FP), R11
	VPBROADCASTD vr8d<>+36(SB), Y15
	XORQ R12, R12

loop:
	CMPQ R12, R11
	JGE  done
	// centre tap (row 8): the high words are zero, so VPMADDWD with
	// (c|c<<16) is c*x.
	MOVQ (8*8)(AX), BX
	MOVQ (8*25)(AX), DX
	VPMOVZXBD (BX)(R12*1), Y5
	VPMOVZXBD (DX)(R12*1), Y6
	VPBROADCASTD vr8w<>+32(SB), Y8
	VPBROADCASTD vr8d<>+32(SB), Y9
	VPMADDWD Y8, Y5, Y0
	VPMADDWD Y8, Y6, Y1
	VPMADDWD Y5, Y5, Y2
	VPMULLD Y9, Y2, Y2
	VPMADDWD Y6, Y6, Y3
	VPMULLD Y9, Y3, Y3
	VPMADDWD Y6, Y5, Y4
	VPMULLD Y9, Y4, Y4

	PAIR(0, 16)
	PAIR(1, 15)
	PAIR(2, 14)
	PAIR(3, 13)
	PAIR(4, 12)
	PAIR(5, 11)
	PAIR(6, 10)
	PAIR(7, 9)

	// tmu = (m1+128)>>8 | ((m2+128)>>8)<<32
	VPADDD Y15, Y0, Y0
	VPSRLD $8, Y0, Y0
	VPADDD Y15, Y1, Y1
	VPSRLD $8, Y1, Y1
	VPUNPCKLDQ Y1, Y0, Y5
	VPUNPCKHDQ Y1, Y0, Y6
	VPERM2I128 $0x20, Y6, Y5, Y7
	VPERM2I128 $0x31, Y6, Y5, Y8
	VMOVDQU Y7, (DI)(R12*8)
	VMOVDQU Y8, 32(DI)(R12*8)
	VMOVDQU Y2, (R8)(R12*4)
	VMOVDQU Y3, (R9)(R12*4)
	VMOVDQU Y4, (R10)(R12*4)

	ADDQ $8, R12
	JMP  loop

done:
	VZEROUPPER
	RET
