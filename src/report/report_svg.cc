#include "report/report_svg.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/units.h"

namespace etpu::report {
namespace {

using nlohmann::json;

constexpr double kWidth = 1180;  // Fits a 1280-px window with the page margins.

int64_t I(const json& v) { return v.is_number_integer() ? v.get<int64_t>() : 0; }
std::string B(int64_t bytes) { return base::FormatBytes(static_cast<uint64_t>(std::max<int64_t>(0, bytes))); }

std::string Rect(double x, double y, double w, double h, const std::string& fill, const std::string& title,
                 const std::string& cls = "") {
  return fmt::format("<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"{}\"{}><title>{}</title></rect>\n", x, y,
                     std::max(w, 0.5), h, fill, cls.empty() ? "" : " class=\"" + cls + "\"", HtmlEscape(title));
}

std::string Text(double x, double y, const std::string& text, const std::string& anchor = "start") {
  return fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"{}\">{}</text>\n", x, y, anchor, HtmlEscape(text));
}

std::string Svg(double height, const std::string& label, const std::string& body) {
  return fmt::format("<svg class=\"fig\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" aria-label=\"{}\">\n{}</svg>\n",
                     kWidth, height, kWidth, height, HtmlEscape(label), body);
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* ModelColour(size_t i) {
  static constexpr const char* kPalette[] = {"#2f6fb3", "#d9822b", "#3a9a5b", "#a3449c", "#b8433b", "#5f7f8c"};
  return kPalette[i % 6];
}

std::string SramMapSvg(const json& doc, const json& group) {
  const json& s = group["sram"];
  const int64_t sram = s.is_object() ? I(s["sram_bytes"]) : int64_t{8} << 20;
  const double k = (kWidth - 20) / static_cast<double>(std::max<int64_t>(sram, 1));
  const double y = 24, h = 40;
  std::string body = Rect(10, y, kWidth - 20, h, "#ffffff", "SRAM " + B(sram), "frame");
  int64_t pos = 0;
  if (s.is_object()) {
    const std::pair<const char*, const char*> reserves[] = {{"executable_reserve_bytes", "#7d7d7d"},
                                                            {"activation_bytes", "#9cc3e6"},
                                                            {"set_reserve_bytes", "#bbbbbb"}};
    const char* names[] = {"executable and instructions", "activation staging", "co-compile set reserve"};
    for (size_t i = 0; i < 3; ++i) {
      const int64_t b = I(s[reserves[i].first]);
      if (b > 0) body += Rect(10 + pos * k, y, b * k, h, reserves[i].second, fmt::format("{}: offset {}, {} ({} bytes)", names[i], pos, B(b), b));
      pos += b;
    }
  }
  size_t colour = 0;
  for (const json& mi : group["models"]) {
    const json& m = doc["models"][mi.get<size_t>()];
    const char* fill = ModelColour(colour++);
    bool any = false;
    for (const json& l : m["layers"]) {
      if (!l["sram_offset"].is_number_integer()) continue;
      any = true;
      const int64_t off = I(l["sram_offset"]), b = I(l["param_bytes"]);
      body += Rect(10 + off * k, y, b * k, h, fill,
                   fmt::format("{}: layer op {} {}, offset {}, {} bytes", m["name"].get<std::string>(), I(l["op_index"]),
                               l["op"].get<std::string>(), off, b),
                   "layer");
    }
    if (!any && I(m["onchip_bytes"]) > 0) {  // Google's package: the total only, where is unknown.
      body += Rect(10 + pos * k, y, I(m["onchip_bytes"]) * k, h, fill,
                   fmt::format("{}: {} cached (the package does not tell the layout)", m["name"].get<std::string>(), B(I(m["onchip_bytes"]))),
                   "layer unknown");
      pos += I(m["onchip_bytes"]);
    }
  }
  body += Text(10, 16, "0");
  body += Text(kWidth - 10, 16, B(sram), "end");
  body += Text(10 + (kWidth - 20) / 2, 16, B(sram / 2), "middle");
  return Svg(72, "SRAM address map", body);
}

std::string WaterfallSvg(const json& model, const json& group) {
  const json& layers = model["layers"];
  int64_t total = 0;
  for (const json& l : layers) total += I(l["param_bytes"]);
  const int64_t capacity = group["sram"].is_object() ? I(group["sram"]["parameter_capacity_bytes"]) : 0;
  const int64_t top = std::max<int64_t>({total, capacity, 1});
  const double left = 70, right = kWidth - 10, y0 = 10, h = 180;
  const double k = h / static_cast<double>(top);
  const double step = layers.empty() ? 0 : (right - left) / static_cast<double>(layers.size());
  std::string body = fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" class=\"axis\"/>\n", left, y0 + h, right, y0 + h);
  body += Text(left - 4, y0 + 10, B(top), "end") + Text(left - 4, y0 + h, "0", "end");
  int64_t cum = 0, cum_cached = 0;
  std::string line;
  bool marked = false;
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    const int64_t b = I(l["param_bytes"]);
    const bool cached = l["cached"].get<bool>();
    const double x = left + step * static_cast<double>(i);
    body += Rect(x, y0 + h - (cum + b) * k, std::max(step - 1, 0.5), b * k, cached ? "#3a9a5b" : "#d9822b",
                 fmt::format("op {} {}: {} bytes {} (cumulative {})", I(l["op_index"]), l["op"].get<std::string>(), b,
                             cached ? "cached" : "streamed", cum + b));
    cum += b;
    if (cached) cum_cached += b;
    line += fmt::format("{:.2f},{:.2f} ", x + step, y0 + h - cum_cached * k);
    if (!cached && !marked) {
      marked = true;
      body += fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" class=\"marker\"><title>{}</title></line>\n", x, y0, x,
                          y0 + h, HtmlEscape(model["first_streamed"].is_object() ? model["first_streamed"]["why"].get<std::string>() : "first streamed layer"));
      body += Text(x + 3, y0 + 12, "first streamed: op " + std::to_string(I(l["op_index"])));
    }
  }
  if (!line.empty()) body += fmt::format("<polyline points=\"{:.2f},{:.2f} {}\" class=\"cum\"><title>cumulative cached bytes</title></polyline>\n", left, y0 + h, line);
  if (capacity > 0) {
    const double yc = y0 + h - capacity * k;
    body += fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" class=\"capacity\"><title>parameter capacity {} bytes</title></line>\n",
                        left, yc, right, yc, capacity);
    body += Text(right, yc - 3, "capacity " + B(capacity), "end");
  }
  return Svg(y0 + h + 10, "parameter waterfall", body);
}

std::string TimelineSvg(const json& model, double scale_ms) {
  const double left = 70, right = kWidth - 90, row = 26;  // Room for the total on the right.
  const double k = (right - left) / std::max(scale_ms, 1e-9);
  std::string body;
  const char* rows[] = {"first", "later"};
  for (int r = 0; r < 2; ++r) {
    const double y = 6 + r * (row + 10);
    body += Text(4, y + 17, rows[r]);
    double t = 0;
    auto seg = [&](double ms, const char* fill, const std::string& what, double yy, double hh) {
      if (ms <= 0) return;
      body += Rect(left + t * k, yy, ms * k, hh, fill, fmt::format("{}: {:.3f} ms (from {:.3f} ms)", what, ms, t));
    };
    for (const json& o : model["timing"]["edgetpu_ops"]) {
      const std::string op = "op " + std::to_string(I(o["op_index"])) + " ";
      if (r == 0) {
        seg(o["param_load_ms"].get<double>(), "#7d5ba6", op + "parameter upload (cached parameters)", y, row);
        t += o["param_load_ms"].get<double>();
      }
      seg(o["fixed_ms"].get<double>(), "#999999", op + "fixed overhead", y, row);
      t += o["fixed_ms"].get<double>();
      seg(o["h2d_ms"].get<double>(), "#2f6fb3", op + "input and instructions to the device", y, row);
      t += o["h2d_ms"].get<double>();
      const double compute = o["compute_ms"].get<double>(), stream = o["stream_ms"].get<double>();
      seg(compute, "#3a9a5b", op + "layers (compute)", y, row / 2);
      seg(stream, "#d9822b", op + "streaming parameters (overlaps compute)", y + row / 2, row / 2);
      t += std::max(compute, stream);
      seg(o["d2h_ms"].get<double>(), "#b8433b", op + "output to the host", y, row);
      t += o["d2h_ms"].get<double>();
    }
    body += Text(left + t * k + 4, y + 17, fmt::format("{:.3f} ms", t));
  }
  return Svg(2 * (row + 10) + 4, "inference timelines", body);
}

std::string ShareBarSvg(double share, const std::string& label, double width) {
  const double h = 14;
  const double filled = std::clamp(share, 0.0, 1.0) * width;
  const std::string title = fmt::format("{}: {:.1f}%", label, 100 * share);
  return fmt::format("<svg viewBox=\"0 0 {0:.0f} {1:.0f}\" width=\"{0:.0f}\" height=\"{1:.0f}\" role=\"img\" aria-label=\"{2}\">\n", width, h,
                     HtmlEscape(title)) +
         Rect(0, 0, width, h, "#eee", title, "frame") + Rect(0, 0, filled, h, share > 1.0 ? "#b3261e" : "#3b7dd8", title) + "</svg>";
}

}  // namespace etpu::report
