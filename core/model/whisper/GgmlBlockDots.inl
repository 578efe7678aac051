// The dot products of quantized rows with Int16Blocks (ggmlRowDot in GgmlRowDecoder.h), written once and
// compiled for two instruction sets: GgmlRowDecoder.cpp includes this file in a namespace per set,
// with ATTNSCOPE_BLOCK_DOTS_TARGET (the functions' target attribute) and ATTNSCOPE_BLOCK_DOTS_AVX512
// (0 or 1) defined. A template's target cannot depend on its parameters, so the text is included
// twice rather than instantiated twice. Both versions compute the same integers and the same float
// operations in the same order: their results are equal bit for bit.

// The 32 codes of a 4- or 5-bit block as signed bytes in order (code j in byte j), centred: minus 8
// for 4 bits, minus 16 for 5.
template <GgmlType T>
ATTNSCOPE_BLOCK_DOTS_TARGET inline __m256i centredCodes(const uint8_t* data)
{
    constexpr bool withMin = T == GgmlType::Q4_1 || T == GgmlType::Q5_1;
    constexpr bool fiveBits = T == GgmlType::Q5_0 || T == GgmlType::Q5_1;
    const uint8_t* nibbles = data + 2 + (withMin ? 2 : 0) + (fiveBits ? 4 : 0);
    // The 16 bytes in both halves, the upper half shifted by a nibble: low nibbles are codes 0-15,
    // high nibbles codes 16-31.
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(nibbles)));
    const __m256i shifted = _mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4));
    const __m256i codes = _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F));
    if constexpr (!fiveBits) {
        return _mm256_sub_epi8(codes, _mm256_set1_epi8(8));
    } else {
        // A code without its fifth bit is 16 below the middle.
        uint32_t word;
        std::memcpy(&word, data + (withMin ? 4 : 2), 4);
#if ATTNSCOPE_BLOCK_DOTS_AVX512
        // The word is a mask of the bytes to keep.
        return _mm256_mask_sub_epi8(codes, static_cast<__mmask32>(~word), codes, _mm256_set1_epi8(0x10));
#else
        // Byte j takes the word's byte j / 8; OR-ing every bit but j % 8 makes it all ones exactly
        // when bit j is set.
        const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int32_t>(word)),
                                                   _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202,
                                                                      0x0303030303030303));
        const __m256i others = _mm256_set1_epi64x(0x7FBFDFEFF7FBFDFE);
        const __m256i set = _mm256_cmpeq_epi8(_mm256_or_si256(spread, others), _mm256_set1_epi8(-1));
        return _mm256_sub_epi8(codes, _mm256_andnot_si256(set, _mm256_set1_epi8(0x10)));
#endif
    }
}

// A block's 32 codes as signed bytes, codes 0-15 in `first` and 16-31 in `second`: q8_0's as stored,
// the 4- and 5-bit types' centred (centredCodes).
template <GgmlType T>
ATTNSCOPE_BLOCK_DOTS_TARGET inline void signedCodes(const uint8_t* data, __m128i& first, __m128i& second)
{
    if constexpr (T == GgmlType::Q8_0) {
        first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 2));
        second = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 18));
    } else {
        const __m256i centred = centredCodes<T>(data);
        first = _mm256_castsi256_si128(centred);
        second = _mm256_extracti128_si256(centred, 1);
    }
}

// A block's codes, widened to 16 bits, times a vector's 32 codes, in pairs: 8 sums of 4 products.
// |code| <= 128 and |x code| <= 32767 cannot overflow 32 bits.
ATTNSCOPE_BLOCK_DOTS_TARGET inline __m256i pairProducts(__m256i low, __m256i high, const int16_t* x)
{
    const auto* v = reinterpret_cast<const __m256i*>(x);
#if ATTNSCOPE_BLOCK_DOTS_AVX512
    return _mm256_dpwssd_epi32(_mm256_madd_epi16(low, _mm256_loadu_si256(v)), high, _mm256_loadu_si256(v + 1));
#else
    return _mm256_add_epi32(_mm256_madd_epi16(low, _mm256_loadu_si256(v)), _mm256_madd_epi16(high, _mm256_loadu_si256(v + 1)));
#endif
}

template <typename U>
ATTNSCOPE_BLOCK_DOTS_TARGET inline U loadAt(const uint8_t* p)
{
    U v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// For each of C prepared vectors: the sum over blocks of d * ((codes - middle) . x's codes) * x's
// scale, plus, for the types with a minimum, (m + middle * d) * x's block sum. Centred codes (the _0
// types' offset is the middle) keep the error of x's rounding proportional to a weight's distance from
// its block's middle. A block's codes are unpacked once for all C vectors (a beam's sequences).
// Blocks go four at a time: their integer sums meet in one vector, so that the scales, the
// conversion to float and the minimum's term take one instruction per four blocks, not one per block.
template <GgmlType T, int C>
ATTNSCOPE_BLOCK_DOTS_TARGET void blockDots(const uint8_t* data, const Int16Blocks* x, int64_t n, float* out)
{
    constexpr bool withMin = T == GgmlType::Q4_1 || T == GgmlType::Q5_1;
    constexpr float middle = T == GgmlType::Q4_0 || T == GgmlType::Q4_1 ? 8 : T == GgmlType::Q8_0 ? 0 : 16;
    const int64_t bytes = ggmlRowBytes(T, kGgmlBlockValues);
    const int64_t blocks = n / kGgmlBlockValues;
    __m128 sum[C];
    float tail[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
        sum[c] = _mm_setzero_ps();
        tail[c] = 0.0f;
    }
    int64_t b = 0;
    for (; b + 4 <= blocks; b += 4, data += 4 * bytes) {
        __m128 d, middleValue;
        if constexpr (withMin) {
            // d and m side by side for each block, then all the d before all the m.
            const __m256 dm = _mm256_cvtph_ps(_mm_setr_epi32(loadAt<int32_t>(data), loadAt<int32_t>(data + bytes),
                                                             loadAt<int32_t>(data + 2 * bytes),
                                                             loadAt<int32_t>(data + 3 * bytes)));
            const __m256 split = _mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
            d = _mm256_castps256_ps128(split);
            middleValue = _mm_fmadd_ps(_mm_set1_ps(middle), d, _mm256_extractf128_ps(split, 1));
        } else {
            d = _mm_cvtph_ps(_mm_setr_epi16(loadAt<int16_t>(data), loadAt<int16_t>(data + bytes),
                                            loadAt<int16_t>(data + 2 * bytes), loadAt<int16_t>(data + 3 * bytes), 0, 0,
                                            0, 0));
        }
        __m256i low[4], high[4];
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k) {
            __m128i first, second;
            signedCodes<T>(data + k * bytes, first, second);
            low[k] = _mm256_cvtepi8_epi16(first);
            high[k] = _mm256_cvtepi8_epi16(second);
        }
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
            const int16_t* codes = x[c].codes.data() + b * kGgmlBlockValues;
            __m256i p[4];
#pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) p[k] = pairProducts(low[k], high[k], codes + k * kGgmlBlockValues);
            // Lane k of each half: block k's pairs 0-3 (low half) and 4-7 (high half).
            const __m256i halves = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
            const __m128i blockSums = _mm_add_epi32(_mm256_castsi256_si128(halves), _mm256_extracti128_si256(halves, 1));
            const __m128 scale = _mm_mul_ps(d, _mm_loadu_ps(x[c].scales.data() + b));
            sum[c] = _mm_fmadd_ps(scale, _mm_cvtepi32_ps(blockSums), sum[c]);
            if constexpr (withMin)
                sum[c] = _mm_fmadd_ps(middleValue, _mm_loadu_ps(x[c].sums.data() + b), sum[c]);
        }
    }
    // The last blocks of a row whose length is not a multiple of 128 (none of Whisper's), one at a time.
    for (; b < blocks; ++b, data += bytes) {
        const float d = halfAt(data);
        const float middleValue = withMin ? std::fma(middle, d, halfAt(data + 2)) : 0.0f;
        __m128i first, second;
        signedCodes<T>(data, first, second);
        const __m256i low = _mm256_cvtepi8_epi16(first), high = _mm256_cvtepi8_epi16(second);
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
            const __m256i p = pairProducts(low, high, x[c].codes.data() + b * kGgmlBlockValues);
            __m128i s = _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
            s = _mm_hadd_epi32(s, s);
            s = _mm_hadd_epi32(s, s);
            tail[c] = std::fma(d * x[c].scales[b], static_cast<float>(_mm_cvtsi128_si32(s)), tail[c]);
            if constexpr (withMin)
                tail[c] = std::fma(middleValue, x[c].sums[b], tail[c]);
        }
    }
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
        __m128 s = _mm_hadd_ps(sum[c], sum[c]);
        s = _mm_hadd_ps(s, s);
        out[c] = _mm_cvtss_f32(s) + tail[c];
    }
}

template <GgmlType T>
ATTNSCOPE_BLOCK_DOTS_TARGET void blockDot(const uint8_t* data, const Int16Blocks* x, int count, int64_t n, float* out)
{
    switch (count) {
    case 1: return blockDots<T, 1>(data, x, n, out);
    case 2: return blockDots<T, 2>(data, x, n, out);
    case 3: return blockDots<T, 3>(data, x, n, out);
    default: return blockDots<T, 4>(data, x, n, out);
    }
}

// The dot products of `type`'s rows; null for f32 and f16.
inline GgmlRowDot blockDotOf(GgmlType type)
{
    switch (type) {
    case GgmlType::Q4_0: return blockDot<GgmlType::Q4_0>;
    case GgmlType::Q4_1: return blockDot<GgmlType::Q4_1>;
    case GgmlType::Q5_0: return blockDot<GgmlType::Q5_0>;
    case GgmlType::Q5_1: return blockDot<GgmlType::Q5_1>;
    case GgmlType::Q8_0: return blockDot<GgmlType::Q8_0>;
    default: return nullptr;
    }
}
