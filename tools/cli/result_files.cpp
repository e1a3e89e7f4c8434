#include "result_files.hpp"

#include <batchwire/error.hpp>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

namespace batchwire::cli {

bool is_safe_file_id(std::string_view id) noexcept
{
    if (id.empty() || id.front() == '.')
        return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

boost::asio::awaitable<void> save_result_files(client& api, const batch& b, std::string dir)
{
    std::vector<std::pair<std::string_view, std::string>> files; // (kind, id)
    if (b.output_file_id && !b.output_file_id->empty())
        files.emplace_back("output", *b.output_file_id);
    if (b.error_file_id && !b.error_file_id->empty())
        files.emplace_back("error", *b.error_file_id);
    if (files.empty()) {
        std::fprintf(stderr, "batchwire: batch %s has no output or error file to download\n", b.id.c_str());
        co_return;
    }

    std::error_code fs_ec;
    std::filesystem::create_directories(dir, fs_ec);
    if (fs_ec) {
        diagnostics diag;
        diag.message = "cannot create the directory '" + dir + "': " + fs_ec.message();
        throw exception(error::file_error, std::move(diag));
    }
    for (const auto& [kind, id] : files) {
        if (!is_safe_file_id(id)) {
            diagnostics diag;
            diag.message = "the batch's " + std::string(kind) + " file id is not usable as a file name";
            throw exception(error::invalid_response, std::move(diag));
        }
        const std::string path = (std::filesystem::path(dir) / (id + ".jsonl")).string();
        const request_options ro; // named: see command_table.hpp in tools/cli
        const std::uint64_t bytes = co_await api.download_file_to(id, path, ro);
        std::fprintf(stderr, "batchwire: saved the %.*s file %s (%llu bytes) to %s\n", static_cast<int>(kind.size()),
                     kind.data(), id.c_str(), static_cast<unsigned long long>(bytes), path.c_str());
    }
}

} // namespace batchwire::cli
