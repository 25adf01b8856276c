DROP TABLE code_counts;
