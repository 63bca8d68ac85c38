//go:build amd64 && !purego

#include "textflag.h"

// Dword order that undoes the lane order [o0, o2, o1, o3] of the
// VSHUFPD split and puts the reference halves first:
// [r0, r1, r2, r3, d0, d1, d2, d3].
DATA vifSubPerm<>+0(SB)/4, $0
DATA vifSubPerm<>+4(SB)/4, $4
DATA vifSubPerm<>+8(SB)/4, $2
DATA vifSubPerm<>+12(SB)/4, $6
DATA vifSubPerm<>+16(SB)/4, $1
DATA vifSubPerm<>+20(SB)/4, $5
DATA vifSubPerm<>+24(SB)/4, $3
DATA vifSubPerm<>+28(SB)/4, $7
GLOBL vifSubPerm<>(SB), RODATA|NOPTR, $32

DATA vifSubRnd<>+0(SB)/4, $32768
DATA vifSubRnd<>+4(SB)/4, $32768
DATA vifSubRnd<>+8(SB)/4, $32768
DATA vifSubRnd<>+12(SB)/4, $32768
DATA vifSubRnd<>+16(SB)/4, $32768
DATA vifSubRnd<>+20(SB)/4, $32768
DATA vifSubRnd<>+24(SB)/4, $32768
DATA vifSubRnd<>+28(SB)/4, $32768
GLOBL vifSubRnd<>(SB), RODATA|NOPTR, $32

// func sub9HorizAVX2(tm *uint64, oref, odis *uint16, n int, c *[5]uint32)
// For j in [0, n) (n a multiple of 4), with m the 9-tap sum
// sum_k c[min(k, 8-k)] * tm[2j+k] taken separately on the low and the high
// dwords (each below 2^32): oref[j] = (lo+32768)>>16, odis[j] = (hi+32768)>>16.
// Reads tm[0 .. 2n+7].
TEXT ·sub9HorizAVX2(SB), NOSPLIT, $0-40
	MOVQ tm+0(FP), AX
	MOVQ oref+8(FP), SI
	MOVQ odis+16(FP), DI
	MOVQ n+24(FP), R8
	MOVQ c+32(FP), BX
	VPBROADCASTD 0(BX), Y10
	VPBROADCASTD 4(BX), Y11
	VPBROADCASTD 8(BX), Y12
	VPBROADCASTD 12(BX), Y13
	VPBROADCASTD 16(BX), Y14
	VMOVDQU vifSubPerm<>(SB), Y9
	XORQ R9, R9

loop:
	CMPQ R9, R8
	JGE  done
	// window of output j starts at tm[2j]; R9*16 is its byte offset
	MOVQ R9, R10
	SHLQ $4, R10
	VMOVDQU 0(AX)(R10*1), Y0
	VMOVDQU 16(AX)(R10*1), Y1
	VMOVDQU 32(AX)(R10*1), Y2
	VMOVDQU 48(AX)(R10*1), Y3
	VMOVDQU 64(AX)(R10*1), Y4
	VMOVDQU 80(AX)(R10*1), Y5
	VMOVDQU 96(AX)(R10*1), Y6
	// E_q = tm[2j+2q] and O_q = tm[2j+2q+1] for four outputs in lane
	// order [0, 2, 1, 3]
	VSHUFPD $0x0, Y2, Y0, Y7  // E0
	VSHUFPD $0x0, Y6, Y4, Y8  // E4
	VPADDD  Y8, Y7, Y7
	VPMULLD Y10, Y7, Y7
	VSHUFPD $0xf, Y2, Y0, Y8  // O0
	VSHUFPD $0xf, Y5, Y3, Y15 // O3
	VPADDD  Y15, Y8, Y8
	VPMULLD Y11, Y8, Y8
	VPADDD  Y8, Y7, Y7
	VSHUFPD $0x0, Y3, Y1, Y8  // E1
	VSHUFPD $0x0, Y5, Y3, Y15 // E3
	VPADDD  Y15, Y8, Y8
	VPMULLD Y12, Y8, Y8
	VPADDD  Y8, Y7, Y7
	VSHUFPD $0xf, Y3, Y1, Y8  // O1
	VSHUFPD $0xf, Y4, Y2, Y15 // O2
	VPADDD  Y15, Y8, Y8
	VPMULLD Y13, Y8, Y8
	VPADDD  Y8, Y7, Y7
	VSHUFPD $0x0, Y4, Y2, Y8  // E2
	VPMULLD Y14, Y8, Y8
	VPADDD  Y8, Y7, Y7
	VPADDD  vifSubRnd<>(SB), Y7, Y7
	VPSRLD  $16, Y7, Y7
	VPERMD  Y7, Y9, Y7
	VEXTRACTI128 $1, Y7, X8
	VPACKUSDW X8, X7, X7
	VMOVQ   X7, (SI)(R9*2)
	VPEXTRQ $1, X7, R11
	MOVQ    R11, (DI)(R9*2)
	ADDQ $4, R9
	JMP  loop

done:
	VZEROUPPER
	RET
