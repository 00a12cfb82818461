// The caching rule of libedgetpu on the virtual device, step by step.
#include "runtime/virtual_edgetpu.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace etpu::runtime {
namespace {

TEST(VirtualEdgeTpuTest, TokenRuleClearsAndAccumulates) {
  VirtualEdgeTpu dev(0, 1024);
  std::vector<uint8_t> a(100, 0xAA), b(200, 0xBB), c(50, 0xCC);
  CachingExecutable pa{1, 7, a}, pb{2, 7, b}, pc{3, 9, c};
  auto r = dev.PrepareInvocation(7, &pa);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->loaded);
  EXPECT_EQ(r->bytes_written, 100);
  EXPECT_EQ(r->sram_offset, 0);
  r = dev.PrepareInvocation(7, &pa);  // Same executable again: reused.
  EXPECT_FALSE(r->loaded);
  r = dev.PrepareInvocation(7, &pb);  // Same token, other executable: side by side.
  EXPECT_TRUE(r->loaded);
  EXPECT_FALSE(r->cleared);
  EXPECT_EQ(r->sram_offset, 100);
  EXPECT_EQ(dev.cached_count(), 2);
  r = dev.PrepareInvocation(7, &pa);
  EXPECT_FALSE(r->loaded);
  // Bytes really are in the SRAM.
  auto bytes = dev.ReadCached(2, 10, 5);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[0], 0xBB);
  // Another token clears everything.
  r = dev.PrepareInvocation(9, &pc);
  EXPECT_TRUE(r->cleared);
  EXPECT_TRUE(r->loaded);
  EXPECT_EQ(r->sram_offset, 0);
  EXPECT_EQ(dev.cached_count(), 1);
  EXPECT_FALSE(dev.ReadCached(1, 0, 1).ok());
  // Token 0 (a stand-alone executable) clears too.
  r = dev.PrepareInvocation(0, nullptr);
  EXPECT_TRUE(r->cleared);
  EXPECT_EQ(dev.cached_count(), 0);
  EXPECT_EQ(dev.current_token(), 0u);
}

TEST(VirtualEdgeTpuTest, RejectsZeroTokenOverflowAndBadRanges) {
  VirtualEdgeTpu dev(0, 64);
  std::vector<uint8_t> big(65, 1), small(8, 2);
  CachingExecutable zero{1, 0, small}, huge{2, 5, big}, ok{3, 5, small};
  EXPECT_EQ(dev.PrepareInvocation(5, &zero).status().code(), StatusCode::kInternal);
  EXPECT_EQ(dev.PrepareInvocation(5, &huge).status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(dev.PrepareInvocation(5, &ok).ok());
  EXPECT_FALSE(dev.ReadCached(3, 4, 5).ok());
  EXPECT_FALSE(dev.ReadCached(3, ~uint64_t{0}, 2).ok());
  EXPECT_FALSE(dev.CorruptSram(64, 1).ok());
  ASSERT_TRUE(dev.CorruptSram(0, 0xFF).ok());
  EXPECT_EQ((*dev.ReadCached(3, 0, 1))[0], 2 ^ 0xFF);
}

// The caching run hands each piece of the parameters to `uploaded` once it is in the SRAM: the
// pieces cover the parameters in order, end on page boundaries of the source (so that giving back
// one piece's pages never drops a page of the next), and are already in the SRAM when handed over.
TEST(VirtualEdgeTpuTest, UploadHandsBackEachPieceOnceCopied) {
  VirtualEdgeTpu dev(0, 2 << 20);
  std::vector<uint8_t> params((1 << 20) + 12345);
  for (size_t i = 0; i < params.size(); ++i) params[i] = static_cast<uint8_t>(i * 31 + 7);
  const std::span<const uint8_t> blob = std::span<const uint8_t>(params).subspan(100);  // not page aligned
  std::vector<std::span<const uint8_t>> pieces;
  CachingExecutable pc{1, 5, blob, {}};
  const std::vector<uint8_t> expected(blob.begin(), blob.end());
  pc.uploaded = [&](std::span<const uint8_t> piece) {
    pieces.push_back(piece);
    // Scribbled over once handed back: the SRAM must already hold the piece.
    std::fill_n(params.begin() + (piece.data() - params.data()), piece.size(), uint8_t{0});
  };
  auto r = dev.PrepareInvocation(5, &pc);
  ASSERT_TRUE(r.ok());
  ASSERT_GE(pieces.size(), 4u);
  size_t done = 0;
  for (size_t k = 0; k < pieces.size(); ++k) {
    EXPECT_EQ(pieces[k].data(), blob.data() + done);
    EXPECT_LE(pieces[k].size(), 256u << 10);
    done += pieces[k].size();
    if (k + 1 < pieces.size()) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(blob.data() + done) % 4096, 0u);
    }
  }
  EXPECT_EQ(done, blob.size());
  auto all = dev.ReadCached(1, 0, blob.size());
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(std::equal(all->begin(), all->end(), expected.begin(), expected.end()));
}

}  // namespace
}  // namespace etpu::runtime
