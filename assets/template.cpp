// Template rendering: a recursive walk over the text; sections render their body once per
// list element with `{{.}}` bound to it.
#include "assets/template.h"

#include <algorithm>
#include <optional>

namespace evo::assets {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

class Renderer {
 public:
  Renderer(std::string_view text, const TemplateVars* vars) : text_(text), vars_(vars) {}

  Result<std::string> run() {
    std::string out;
    std::size_t pos = 0;
    EVO_TRY(render(pos, "", nullptr, out));
    return out;
  }

  std::vector<std::string> names;  // collected when vars_ is null

 private:
  Error fail(std::size_t at, const std::string& what) const {
    const auto line = 1 + std::count(text_.begin(), text_.begin() + static_cast<long>(at), '\n');
    return make_error(ErrorCode::kInvalidArgument,
                      "template line " + std::to_string(line) + ": " + what);
  }

  const TemplateValue* lookup(std::string_view name) const {
    if (vars_ == nullptr) return nullptr;
    auto it = vars_->find(name);
    return it == vars_->end() ? nullptr : &it->second;
  }

  // Renders from `pos` until `{{/section}}` (or the end when section is empty). Returns the
  // position just after the closing tag.
  Result<std::size_t> render(std::size_t pos, std::string_view section, const std::string* dot,
                             std::string& out) {
    while (pos < text_.size()) {
      const auto open = text_.find("{{", pos);
      if (open == std::string_view::npos) {
        out.append(text_.substr(pos));
        pos = text_.size();
        break;
      }
      out.append(text_.substr(pos, open - pos));
      if (text_.compare(open, 4, "{{{{") == 0) {
        out.append("{{");
        pos = open + 4;
        continue;
      }
      const auto close = text_.find("}}", open + 2);
      if (close == std::string_view::npos) return fail(open, "'{{' without '}}'");
      const auto tag = trim(text_.substr(open + 2, close - open - 2));
      pos = close + 2;
      if (tag == ".") {
        if (dot == nullptr) return fail(open, "'{{.}}' outside a {{#list}} section");
        out.append(*dot);
        continue;
      }
      if (!tag.empty() && tag.front() == '/') {
        const auto name = trim(tag.substr(1));
        if (name != section) {
          return fail(open, "'{{/" + std::string(name) + "}}' closes no open section");
        }
        return pos;
      }
      const bool is_section = !tag.empty() && tag.front() == '#';
      const auto name = is_section ? trim(tag.substr(1)) : tag;
      if (!valid_name(name)) return fail(open, "bad name '" + std::string(name) + "'");
      if (vars_ == nullptr) names.emplace_back(name);
      const TemplateValue* value = lookup(name);
      if (vars_ != nullptr && value == nullptr) {
        return fail(open, "unknown name '" + std::string(name) + "'");
      }
      if (!is_section) {
        if (value == nullptr) continue;  // collecting names only
        const auto* s = std::get_if<std::string>(value);
        if (s == nullptr) {
          return fail(open, "'" + std::string(name) + "' is a list: use {{#" + std::string(name) +
                                "}}...{{/" + std::string(name) + "}}");
        }
        out.append(*s);
        continue;
      }
      const std::vector<std::string>* list = nullptr;
      if (value != nullptr) {
        list = std::get_if<std::vector<std::string>>(value);
        if (list == nullptr) return fail(open, "'" + std::string(name) + "' is not a list");
      }
      // Render the body once to find where it ends (and to validate it even for an empty
      // list), then once per element.
      std::string probe;
      const std::string empty;
      EVO_ASSIGN_OR_RETURN(const std::size_t after, render(pos, name, &empty, probe));
      if (list != nullptr) {
        for (const auto& element : *list) {
          EVO_TRY(render(pos, name, &element, out));
        }
      }
      pos = after;
    }
    if (!section.empty()) {
      return fail(text_.size(), "section '{{#" + std::string(section) + "}}' is never closed");
    }
    return pos;
  }

  std::string_view text_;
  const TemplateVars* vars_;
};

}  // namespace

Result<std::string> render_template(std::string_view text, const TemplateVars& vars) {
  Renderer r(text, &vars);
  return r.run();
}

Result<std::vector<std::string>> template_names(std::string_view text) {
  Renderer r(text, nullptr);
  EVO_TRY(r.run());
  auto names = std::move(r.names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace evo::assets
