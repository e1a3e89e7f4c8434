#include "http_date.hpp"

#include <array>
#include <cstdint>

namespace batchwire::detail {

namespace {

// An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms
// that recipients must still accept.
class http_date_reader {
public:
    explicit http_date_reader(std::string_view text) noexcept : rest_(text) {}

    std::optional<std::chrono::sys_seconds> read() noexcept
    {
        if (!day_name())
            return std::nullopt;
        int day = 0, month = 0, year = 0;
        if (take(',')) {
            if (!take(' ') || !digits(2, day))
                return std::nullopt;
            if (take(' ')) { // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
                if (!month_name(month) || !take(' ') || !digits(4, year))
                    return std::nullopt;
            } else if (take('-')) { // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
                int yy = 0;
                if (!month_name(month) || !take('-') || !digits(2, yy))
                    return std::nullopt;
                year = yy < 70 ? 2000 + yy : 1900 + yy;
            } else {
                return std::nullopt;
            }
            if (!take(' ') || !time_of_day() || !take(' ') || !word("GMT"))
                return std::nullopt;
        } else { // asctime: "Sun Nov  6 08:49:37 1994"
            if (!take(' ') || !month_name(month) || !take(' '))
                return std::nullopt;
            if (take(' ')) {
                if (!digits(1, day))
                    return std::nullopt;
            } else if (!digits(2, day)) {
                return std::nullopt;
            }
            if (!take(' ') || !time_of_day() || !take(' ') || !digits(4, year))
                return std::nullopt;
        }
        if (!rest_.empty())
            return std::nullopt;
        const std::chrono::year_month_day date{std::chrono::year{year},
                                               std::chrono::month{static_cast<unsigned>(month)},
                                               std::chrono::day{static_cast<unsigned>(day)}};
        if (!date.ok())
            return std::nullopt;
        return std::chrono::sys_days{date} + std::chrono::hours{hour_} + std::chrono::minutes{minute_} +
               std::chrono::seconds{second_};
    }

private:
    bool take(char c) noexcept
    {
        if (rest_.empty() || rest_.front() != c)
            return false;
        rest_.remove_prefix(1);
        return true;
    }

    bool word(std::string_view w) noexcept
    {
        if (!rest_.starts_with(w))
            return false;
        rest_.remove_prefix(w.size());
        return true;
    }

    bool digits(int count, int& out) noexcept
    {
        out = 0;
        for (int i = 0; i < count; ++i) {
            if (rest_.empty() || rest_.front() < '0' || rest_.front() > '9')
                return false;
            out = out * 10 + (rest_.front() - '0');
            rest_.remove_prefix(1);
        }
        return true;
    }

    // The long names (RFC 850) start with the short ones, so try them first.
    bool day_name() noexcept
    {
        static constexpr std::array<std::string_view, 7> long_names{
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
        for (const std::string_view n : long_names)
            if (word(n))
                return true;
        for (const std::string_view n : long_names)
            if (word(n.substr(0, 3)))
                return true;
        return false;
    }

    bool month_name(int& month) noexcept
    {
        static constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (word(names[i])) {
                month = static_cast<int>(i) + 1;
                return true;
            }
        }
        return false;
    }

    // 60 is a leap second, which the grammar allows.
    bool time_of_day() noexcept
    {
        return digits(2, hour_) && hour_ < 24 && take(':') && digits(2, minute_) && minute_ < 60 && take(':') &&
               digits(2, second_) && second_ <= 60;
    }

    std::string_view rest_;
    int hour_ = 0;
    int minute_ = 0;
    int second_ = 0;
};

} // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept
{
    return http_date_reader(text).read();
}

} // namespace batchwire::detail
