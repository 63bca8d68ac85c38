//go:build amd64 && !purego

#include "textflag.h"

DATA csfS123c<>+0(SB)/8, $0x8000000        // 2^27 (dst rounding)
DATA csfS123c<>+8(SB)/8, $143165577        // 1/30 in Q32
DATA csfS123c<>+16(SB)/8, $0xffffffff80000000 // int32(1<<31) as int64
GLOBL csfS123c<>(SB), RODATA|NOPTR, $24

// func csfS123RowAVX2(src, dst, flt *int32, n int, rf int64)
// For j in [0, n) (n a multiple of 4), rf in [0, 2^32):
// dst[j] = int32((rf*src[j] + 2^27) >> 28) and
// flt[j] = int32((143165577*|dst[j]| - 2^31) >> 32) (|.| of int32).
TEXT ·csfS123RowAVX2(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ flt+16(FP), R8
	MOVQ n+24(FP), R11
	VPBROADCASTQ rf+32(FP), Y10
	VPBROADCASTQ csfS123c<>+0(SB), Y11
	VPBROADCASTQ csfS123c<>+8(SB), Y12
	VPBROADCASTQ csfS123c<>+16(SB), Y13
	XORQ R12, R12

loop:
	CMPQ R12, R11
	JGE  done
	VPMOVSXDQ (SI)(R12*4), Y1
	VPMULUDQ  Y10, Y1, Y2
	VPSRLQ    $32, Y1, Y3
	VPMULUDQ  Y10, Y3, Y3
	VPSLLQ    $32, Y3, Y3
	VPADDQ    Y3, Y2, Y2
	VPADDQ    Y11, Y2, Y2
	VPSRLQ    $28, Y2, Y2
	VPABSD    Y2, Y4
	VPMULDQ   Y12, Y4, Y4
	VPADDQ    Y13, Y4, Y4
	VPSRLQ    $32, Y4, Y4
	VPSHUFD   $0x08, Y2, Y2
	VPERMQ    $0x08, Y2, Y2
	VPSHUFD   $0x08, Y4, Y4
	VPERMQ    $0x08, Y4, Y4
	VMOVDQU   X2, (DI)(R12*4)
	VMOVDQU   X4, (R8)(R12*4)
	ADDQ $4, R12
	JMP  loop

done:
	VZEROUPPER
	RET
