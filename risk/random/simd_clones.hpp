// Functions whose loops vectorise are compiled once per instruction set and the processor picks
// its clone when the program loads (GCC's target_clones): AVX-512 (x86-64-v4), AVX2 (x86-64-v3)
// or the baseline. risk/ is compiled with -ffp-contract=off, so no clone fuses a multiply and an
// add, and every clone gives the baseline's bits (docs/risk-model.md "Random numbers"). Elsewhere
// (clang, other processors) the macros are empty: one function, the same numbers.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// AVX-512, AVX2 and the baseline.
#define TANHUI_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
// AVX2 and the baseline: for loops whose 512-bit form slows the whole core on some processors.
#define TANHUI_AVX2_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TANHUI_SIMD_CLONES
#define TANHUI_AVX2_CLONES
#endif
