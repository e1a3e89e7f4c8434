#ifndef BATCHWIRE_SRC_PART_FILE_HPP
#define BATCHWIRE_SRC_PART_FILE_HPP

// A file that appears whole or not at all: written to "<path>.part", renamed to <path> by
// commit(); destroyed without commit (any failure), the .part is removed.

#include <cstdio>
#include <string>
#include <string_view>

namespace batchwire::detail {

class part_file {
public:
    part_file() = default;
    ~part_file() { abandon(); }
    part_file(const part_file&) = delete;
    part_file& operator=(const part_file&) = delete;

    // Creates (truncates) "<path>.part". False with `why` set on failure.
    bool open(std::string path, std::string& why);
    bool is_open() const noexcept { return file_ != nullptr; }
    // Buffered; false on a write error.
    bool write(std::string_view bytes) noexcept;
    // Flushes, closes and renames into place. False with `why` set on failure (the .part
    // is then removed).
    bool commit(std::string& why);
    // Closes and removes the .part, if any.
    void abandon() noexcept;

private:
    std::FILE* file_ = nullptr;
    std::string path_;
};

} // namespace batchwire::detail

#endif
