// The report's figures as inline SVG (no script, no external reference, fixed number format so
// the bytes are deterministic): the SRAM address map of a group, the parameter waterfall of a
// model, the first/later inference timelines of a model. Every shape has a <title> tooltip.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace etpu::report {

/// "&lt;" etc.: text made safe for HTML element content and attribute values.
std::string HtmlEscape(const std::string& text);

/// Colour of the i-th model of a group (cycles through a fixed palette).
const char* ModelColour(size_t i);

/// Section 3: a bar from 0 to the SRAM size; the reserves, each model's cached layers, free.
std::string SramMapSvg(const nlohmann::json& doc, const nlohmann::json& group);
/// Section 4: layers in execution order, each a step of the cumulative parameter bytes, cached or
/// streamed, against the parameter capacity; a marker at the first streamed layer.
std::string WaterfallSvg(const nlohmann::json& model, const nlohmann::json& group);
/// Section 6: the first inference after a token change and a later one, on one time axis
/// `scale_ms` wide (the largest first inference of the report).
std::string TimelineSvg(const nlohmann::json& model, double scale_ms);
/// Section 8: a share from 0 to 100% as a small bar (red above 100%), `width` pixels wide.
std::string ShareBarSvg(double share, const std::string& label, double width = 160);

}  // namespace etpu::report
