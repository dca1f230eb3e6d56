-- A period's consolidated figures per indicator line, kept in the same
-- transaction as the report states that count them (approved and locked), so
-- a province's figure for any period is one indexed read however many values
-- the country holds. value_sum over value_n units: the sum, or the mean for
-- rates. Category '' is the indicator's total: per report its total line, else
-- the sum of its category lines when every one of them is filled.
-- store::reporting::refresh_totals writes it; a test proves it equal to a
-- recomputation from the lines.
CREATE TABLE period_totals (
    period_id    INTEGER NOT NULL REFERENCES report_periods (id),
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    category     TEXT NOT NULL,
    value_sum    REAL NOT NULL,
    value_n      INTEGER NOT NULL,
    PRIMARY KEY (period_id, indicator_id, category)
);

INSERT INTO period_totals (period_id, indicator_id, category, value_sum, value_n)
SELECT r.period_id, l.indicator_id, l.category, SUM(l.value), COUNT(*)
FROM report_lines l JOIN reports r ON r.id = l.report_id
WHERE r.state IN ('approved', 'locked') AND l.category <> '' AND l.value IS NOT NULL
GROUP BY r.period_id, l.indicator_id, l.category
UNION ALL
SELECT t.period_id, t.indicator_id, '', SUM(t.v), COUNT(*) FROM (
    SELECT r.period_id, l.indicator_id,
        COALESCE(MAX(CASE WHEN l.category = '' THEN l.value END),
            CASE WHEN COUNT(CASE WHEN l.category <> '' THEN 1 END) > 0
                  AND COUNT(CASE WHEN l.category <> '' THEN 1 END) = COUNT(CASE WHEN l.category <> '' THEN l.value END)
                 THEN SUM(CASE WHEN l.category <> '' THEN l.value END) END) AS v
    FROM report_lines l JOIN reports r ON r.id = l.report_id
    WHERE r.state IN ('approved', 'locked')
    GROUP BY r.period_id, l.report_id, l.indicator_id
) t
WHERE t.v IS NOT NULL
GROUP BY t.period_id, t.indicator_id;
