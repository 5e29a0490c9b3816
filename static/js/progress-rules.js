// The rules of progress for a reader who is not signed in: the browser's copy of
// progress/rules.py, with no DOM, so Node runs it against the same cases as the server
// (tests/progress/rule_cases.json). Change one side and the shared cases say if they disagree.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.StreamProgressRules = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // The same bound as the server's: achievement XP can lift a level, which can earn a level
  // achievement; a few rounds settle it, the bound only guards against a rules file that loops.
  var MAX_AWARD_ROUNDS = 5;
  // As rules.FALLBACK_LEVEL: a catalogue without levels leaves everyone at level 0.
  var FALLBACK_LEVEL = { number: 0, xp: 0, name: "Spark" };
  var DAY_MS = 86400000;

  function standing(xp, levels) {
    var sorted = levels.slice().sort(function (a, b) { return a.xp - b.xp; });
    var current = sorted[0] || FALLBACK_LEVEL, next = null;
    sorted.forEach(function (level, index) {
      if (xp >= level.xp) {
        current = level;
        next = sorted[index + 1] || null;
      }
    });
    return { current: current, next: next };
  }

  // Building a DateTimeFormat is slow next to using one, and a history has many moments.
  var formatters = {};

  function formatterFor(timeZone) {
    var key = timeZone || "";
    if (!formatters[key]) {
      formatters[key] = new Intl.DateTimeFormat("en-CA", {
        timeZone: timeZone || undefined, year: "numeric", month: "2-digit", day: "2-digit"
      });
    }
    return formatters[key];
  }

  // The calendar date (YYYY-MM-DD) of a moment in an IANA time zone; null for a moment that
  // cannot be read, so that one damaged entry in localStorage does not blank the whole bar.
  function calendarDay(iso, timeZone) {
    var moment = iso instanceof Date ? iso : new Date(iso);
    if (isNaN(moment.getTime())) { return null; }
    var parts = {};
    formatterFor(timeZone).formatToParts(moment).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  // Days since 1970-01-01 of a YYYY-MM-DD date. Counted on the date itself, in UTC, so
  // consecutive dates differ by exactly one whatever daylight saving does to their hours.
  function dayNumber(day) {
    var ymd = day.split("-");
    return Math.round(Date.UTC(Number(ymd[0]), Number(ymd[1]) - 1, Number(ymd[2])) / DAY_MS);
  }

  function distinctDays(days) {
    return Array.from(new Set(days)).sort();
  }

  function longestStreak(days) {
    var longest = 0, run = 0, previous = null;
    distinctDays(days).forEach(function (day) {
      var number = dayNumber(day);
      run = previous !== null && number - previous === 1 ? run + 1 : 1;
      longest = Math.max(longest, run);
      previous = number;
    });
    return longest;
  }

  // Days in a row up to today; a streak still counts today if it reached yesterday.
  function currentStreak(days, today) {
    var sorted = distinctDays(days);
    if (!sorted.length || dayNumber(today) - dayNumber(sorted[sorted.length - 1]) > 1) {
      return 0;
    }
    var run = 1;
    for (var index = sorted.length - 1; index > 0; index -= 1) {
      if (dayNumber(sorted[index]) - dayNumber(sorted[index - 1]) !== 1) { break; }
      run += 1;
    }
    return run;
  }

  // Comments, replies and bug reports need an account, so only these can be earned locally.
  function qualifies(rule, threshold, numbers) {
    switch (rule) {
      case "lessons_completed": return numbers.lessonsCompleted >= threshold;
      case "courses_completed": return numbers.coursesCompleted >= threshold;
      case "all_lessons": return numbers.total > 0 && numbers.lessonsCompleted === numbers.total;
      case "streak_days": return numbers.longestStreak >= threshold;
      case "level_reached": return numbers.level >= threshold;
    }
    return false;
  }

  // completions: {lesson id: ISO 8601 moment}; catalogue: progress.summaries.Catalogue.as_json();
  // today: YYYY-MM-DD in timeZone. Lessons missing from the catalogue count for nothing.
  function figures(completions, catalogue, timeZone, today) {
    var days = [], lessonXp = 0, done = 0, byCourse = {}, doneByCourse = {};
    Object.keys(catalogue.lessons).forEach(function (id) {
      var lesson = catalogue.lessons[id];
      byCourse[lesson.course] = (byCourse[lesson.course] || 0) + 1;
      if (completions[id]) {
        done += 1;
        lessonXp += lesson.xp;
        var day = calendarDay(completions[id], timeZone);
        if (day !== null) { days.push(day); }
        doneByCourse[lesson.course] = (doneByCourse[lesson.course] || 0) + 1;
      }
    });
    var numbers = {
      lessonsCompleted: done,
      coursesCompleted: Object.keys(byCourse).filter(function (course) {
        return doneByCourse[course] === byCourse[course];
      }).length,
      total: Object.keys(catalogue.lessons).length,
      longestStreak: longestStreak(days),
      level: 0
    };
    var earned = [], bonus = 0;
    for (var round = 0; round < MAX_AWARD_ROUNDS; round += 1) {
      numbers.level = standing(lessonXp + bonus, catalogue.levels).current.number;
      var due = [];
      catalogue.achievements.forEach(function (achievement, index) {
        if (earned.indexOf(index) === -1 &&
            qualifies(achievement.rule, achievement.threshold, numbers)) {
          due.push(index);
        }
      });
      if (!due.length) { break; }
      due.forEach(function (index) {
        earned.push(index);
        bonus += catalogue.achievements[index].xp;
      });
    }
    var xp = lessonXp + bonus;
    return {
      xp: xp,
      level: standing(xp, catalogue.levels).current.number,
      done: done,
      total: numbers.total,
      achievements: earned.sort(function (a, b) { return a - b; }),
      longestStreak: numbers.longestStreak,
      currentStreak: currentStreak(days, today || calendarDay(new Date(), timeZone))
    };
  }

  return {
    standing: standing,
    calendarDay: calendarDay,
    longestStreak: longestStreak,
    currentStreak: currentStreak,
    figures: figures
  };
});
