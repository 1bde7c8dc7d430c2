// The small placeholder syntax of memory_templates/ and agents/ (see memory_templates/README.md):
// `{{name}}`, `{{#list}}...{{/list}}` with `{{.}}`, and `{{{{` for a literal `{{`. Unknown names
// are an error, so a typo never reaches a memory file or a prompt silently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace evo::assets {

using TemplateValue = std::variant<std::string, std::vector<std::string>>;
using TemplateVars = std::map<std::string, TemplateValue, std::less<>>;

// Renders `text` with `vars`. Errors (kInvalidArgument) name the line and the problem: an
// unknown name, a list used as a string or the reverse, an unclosed tag or section.
Result<std::string> render_template(std::string_view text, const TemplateVars& vars);

// The names a template uses (variables and sections), sorted and unique; an error for a
// malformed template.
Result<std::vector<std::string>> template_names(std::string_view text);

}  // namespace evo::assets
