/*
 * The hardware floor under the JMH step benchmarks, without the JVM: the time to stream N KiB of floats
 * through one AVX-512 FMA per 64-byte load (8 accumulators), the same pattern as the LSTM/GRU mat-vec,
 * and the register-only FMA rate. Build and run (see BENCHMARKS.md):
 *   gcc -O3 -march=native -o /tmp/cache_floor bench/native/cache_floor.c && /tmp/cache_floor
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static float sink;

static double stream_fma(const float *d, size_t n, int reps) {
    __m512 m = _mm512_set1_ps(0.999f);
    double best = 1e30;
    for (int r = 0; r < 7; r++) {
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        double t0 = now_ns();
        for (int k = 0; k < reps; k++) {
            for (size_t p = 0; p + 128 <= n; p += 128) {
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p), m, a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 16), m, a1);
                a2 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 32), m, a2);
                a3 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 48), m, a3);
                a4 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 64), m, a4);
                a5 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 80), m, a5);
                a6 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 96), m, a6);
                a7 = _mm512_fmadd_ps(_mm512_loadu_ps(d + p + 112), m, a7);
            }
            __asm__ volatile("" ::: "memory");
        }
        double per = (now_ns() - t0) / reps;
        __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                                 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
        sink += _mm512_reduce_add_ps(s);
        if (per < best) best = per;
    }
    return best;
}

static double fma_peak(int reps) {
    __m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-7f);
    __m512 a0 = _mm512_set1_ps(1.f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    double t0 = now_ns();
    for (long i = 0; i < (long) reps * 128; i++) {
        a0 = _mm512_fmadd_ps(a0, m, c); a1 = _mm512_fmadd_ps(a1, m, c);
        a2 = _mm512_fmadd_ps(a2, m, c); a3 = _mm512_fmadd_ps(a3, m, c);
        a4 = _mm512_fmadd_ps(a4, m, c); a5 = _mm512_fmadd_ps(a5, m, c);
        a6 = _mm512_fmadd_ps(a6, m, c); a7 = _mm512_fmadd_ps(a7, m, c);
    }
    double per = (now_ns() - t0) / reps; /* ns per 1,024 FMAs */
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    sink += _mm512_reduce_add_ps(s);
    return per;
}

int main(void) {
    int sizes[] = {16, 32, 54, 72};
    float *d = aligned_alloc(64, 72 * 1024);
    for (int i = 0; i < 72 * 256; i++) d[i] = (i % 17) * 1e-3f;
    double peak = fma_peak(200000);
    printf("fma_peak: %.1f ns per 1024 zmm FMAs = %.1f GFLOP/s\n", peak, 1024.0 * 32 / peak);
    for (int i = 0; i < 4; i++) {
        size_t n = (size_t) sizes[i] * 256;
        double ns = stream_fma(d, n, 200000);
        printf("stream_fma %2d KiB: %7.1f ns  (%.1f B/ns, %4zu zmm FMAs)\n", sizes[i], ns,
               sizes[i] * 1024.0 / ns, n / 16);
    }
    return sink == 12345.f;
}
