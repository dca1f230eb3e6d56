-- Sample data (issue 12): the reporting history that `serve --demo` invents
-- is marked on its periods, so pages, JSON, exports and official outputs can
-- say "Dữ liệu mẫu". Periods opened by people are never marked.
ALTER TABLE report_periods ADD COLUMN sample BOOLEAN NOT NULL DEFAULT FALSE;
