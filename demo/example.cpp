// The project the demo evolves. See example.h.
#include "demo/example.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "demo/embedded_example.h"

namespace evo::demo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Status write_file(const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return make_error(ErrorCode::kInternal, "cannot write " + path.string());
  return {};
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--example-dir: '" + from.string() + "' is not a directory");
  }
  fs::recursive_directory_iterator it(from, ec);
  if (ec) return make_error(ErrorCode::kInternal, "cannot list " + from.string());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return make_error(ErrorCode::kInternal, "cannot list " + from.string());
    const auto name = it->path().filename().string();
    if (it->is_directory(ec) && (name == ".git" || name == "__pycache__")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const auto rel = fs::relative(it->path(), from, ec);
    EVO_ASSIGN_OR_RETURN(auto bytes, read_file(it->path()));
    EVO_TRY(write_file(to / rel, bytes));
  }
  return {};
}

Result<std::string> required_string(const json& manifest, const json::json_pointer& ptr) {
  if (!manifest.contains(ptr) || !manifest.at(ptr).is_string() ||
      manifest.at(ptr).get<std::string>().empty()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        std::string(kManifestName) + ": '" + ptr.to_string() + "' must be a non-empty string");
  }
  return manifest.at(ptr).get<std::string>();
}

Result<ExampleSpec> parse_manifest(const std::string& text, std::string name) {
  const json m = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (m.is_discarded() || !m.is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(kManifestName) + " is not a JSON object");
  }
  ExampleSpec spec;
  spec.name = std::move(name);
  struct Field {
    const char* pointer;
    std::string* out;
  };
  for (const Field& f :
       {Field{"/title", &spec.title}, Field{"/target/id", &spec.target_id},
        Field{"/target/file", &spec.target_file}, Field{"/target/function", &spec.target_function},
        Field{"/benchmark_cmd", &spec.benchmark_cmd},
        Field{"/benchmark_file", &spec.benchmark_file}, Field{"/objective", &spec.objective}}) {
    EVO_ASSIGN_OR_RETURN(*f.out, required_string(m, json::json_pointer(f.pointer)));
  }
  const json::json_pointer description("/target/description");
  if (m.contains(description) && m.at(description).is_string()) {
    spec.target_description = m.at(description).get<std::string>();
  }
  return spec;
}

}  // namespace

Result<ExampleSpec> write_example(const std::string& example_dir, const std::string& dest) {
  std::string name = embedded::kExampleName;
  if (example_dir.empty()) {
    for (const auto& f : embedded::kFiles) {
      const std::string bytes(reinterpret_cast<const char*>(f.data), f.size);
      EVO_TRY(write_file(fs::path(dest) / f.path, bytes));
    }
  } else {
    std::error_code ec;
    const fs::path from = fs::weakly_canonical(example_dir, ec);
    EVO_TRY(copy_tree(from, dest));
    name = from.filename().string();
  }
  auto manifest = read_file(fs::path(dest) / kManifestName);
  if (!manifest) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the example has no " + std::string(kManifestName) + " at its root");
  }
  EVO_ASSIGN_OR_RETURN(auto spec, parse_manifest(*manifest, name));
  for (const auto* file : {&spec.target_file, &spec.benchmark_file}) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(dest) / *file, ec)) {
      return make_error(ErrorCode::kInvalidArgument, std::string(kManifestName) + " names '" +
                                                         *file + "', which the example lacks");
    }
  }
  return spec;
}

}  // namespace evo::demo
