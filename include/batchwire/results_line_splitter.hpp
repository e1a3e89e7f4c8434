#ifndef BATCHWIRE_RESULTS_LINE_SPLITTER_HPP
#define BATCHWIRE_RESULTS_LINE_SPLITTER_HPP

// Splits a JSONL stream that arrives in chunks of any size into lines, holding at most one
// line (max_line_bytes) in memory. A chunk may end anywhere: inside a line, or between the
// '\r' and the '\n' of a CRLF. Each line is passed without its terminator, together with
// that terminator ("\n", "\r\n", or "" for a last line that has none), so that a caller
// can copy lines byte for byte.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace batchwire {

class jsonl_line_splitter {
public:
    explicit jsonl_line_splitter(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

    // Calls on_line(std::string_view line, std::string_view terminator) -> bool for every
    // line completed by `chunk`. Returns false, and stops, when on_line returns false or a
    // line is longer than max_line_bytes (then too_long() is true).
    template <class OnLine>
    bool feed(std::string_view chunk, OnLine&& on_line)
    {
        while (!chunk.empty()) {
            const std::size_t nl = chunk.find('\n');
            const std::string_view piece = chunk.substr(0, nl);
            if (partial_.size() + piece.size() > max_line_bytes_) {
                too_long_ = true;
                return false;
            }
            if (nl == std::string_view::npos) {
                partial_.append(piece);
                return true;
            }
            bool go_on;
            if (partial_.empty()) {
                go_on = emit(piece, true, on_line);
            } else {
                partial_.append(piece);
                go_on = emit(partial_, true, on_line);
                partial_.clear();
            }
            if (!go_on)
                return false;
            chunk.remove_prefix(nl + 1);
        }
        return true;
    }

    // At the end of the stream: passes a last line that had no newline, if any.
    template <class OnLine>
    bool finish(OnLine&& on_line)
    {
        if (partial_.empty())
            return true;
        const bool go_on = emit(partial_, false, on_line);
        partial_.clear();
        return go_on;
    }

    // Lines passed so far (the number of the last one).
    std::uint64_t line_number() const noexcept { return line_number_; }
    bool too_long() const noexcept { return too_long_; }

private:
    template <class OnLine>
    bool emit(std::string_view line, bool had_newline, OnLine& on_line)
    {
        ++line_number_;
        std::string_view terminator;
        if (had_newline) {
            terminator = "\n";
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
                terminator = "\r\n";
            }
        }
        return on_line(line, terminator);
    }

    std::size_t max_line_bytes_;
    std::string partial_;
    std::uint64_t line_number_ = 0;
    bool too_long_ = false;
};

} // namespace batchwire

#endif
