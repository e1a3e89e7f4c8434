#include "part_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace batchwire::detail {

bool part_file::open(std::string path, std::string& why)
{
    abandon();
    path_ = std::move(path);
    const std::string part = path_ + ".part";
    file_ = std::fopen(part.c_str(), "wb");
    if (!file_) {
        why = "cannot open '" + part + "' for writing: " + std::strerror(errno);
        return false;
    }
    return true;
}

bool part_file::write(std::string_view bytes) noexcept
{
    return file_ && std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size();
}

bool part_file::commit(std::string& why)
{
    if (!file_) {
        why = "'" + path_ + ".part' is not open";
        return false;
    }
    const bool flushed = std::fflush(file_) == 0 && !std::ferror(file_);
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    const std::string part = path_ + ".part";
    std::error_code ec;
    if (flushed && closed) {
        std::filesystem::rename(part, path_, ec);
        if (!ec)
            return true;
        why = "cannot rename '" + part + "' to '" + path_ + "': " + ec.message();
    } else {
        why = "cannot write '" + part + "'";
    }
    std::filesystem::remove(part, ec);
    return false;
}

void part_file::abandon() noexcept
{
    if (!file_)
        return;
    std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    std::filesystem::remove(path_ + ".part", ec);
}

} // namespace batchwire::detail
