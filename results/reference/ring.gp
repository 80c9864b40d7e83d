# zcbench plot: ring
# Re-render (or restyle, then re-render) inside this folder:
#	gnuplot ring.gp
# Data: ring.csv (comma-separated, one header row). A series is the rows whose
# parameter columns hold the values in its "if" clause.
# zcbench passes a temporary output name as ARG1 (gnuplot -c).
out = (ARGC >= 1 && ARG1 ne "") ? ARG1 : 'ring.png'

set encoding utf8
set datafile separator ","
set datafile columnheaders

# Select each series' rows (a NaN inside a line would break it).
rows = 0
set table $s0 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'thread' && strcol('batch') eq '1' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n0 = |$s0|
rows = rows + n0
if (n0 == 0) { set print $s0; print 'NaN,NaN'; unset print }
set table $s1 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'thread' && strcol('batch') eq '64' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n1 = |$s1|
rows = rows + n1
if (n1 == 0) { set print $s1; print 'NaN,NaN'; unset print }
set table $s2 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'process' && strcol('batch') eq '1' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n2 = |$s2|
rows = rows + n2
if (n2 == 0) { set print $s2; print 'NaN,NaN'; unset print }
set table $s3 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'process' && strcol('batch') eq '64' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n3 = |$s3|
rows = rows + n3
if (n3 == 0) { set print $s3; print 'NaN,NaN'; unset print }
set table $s4 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'mutex' && strcol('batch') eq '1' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n4 = |$s4|
rows = rows + n4
if (n4 == 0) { set print $s4; print 'NaN,NaN'; unset print }
set table $s5 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'mutex' && strcol('batch') eq '64' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n5 = |$s5|
rows = rows + n5
if (n5 == 0) { set print $s5; print 'NaN,NaN'; unset print }
set table $s6 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'pipe' && strcol('batch') eq '1' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n6 = |$s6|
rows = rows + n6
if (n6 == 0) { set print $s6; print 'NaN,NaN'; unset print }
set table $s7 separator comma
plot 'ring.csv' using (column('size')):(column('mmsgs_per_s_median')):(column('mmsgs_per_s_min')):(column('mmsgs_per_s_max')) with table if (strcol('mode') eq 'tput' && strcol('transport') eq 'pipe' && strcol('batch') eq '64' && (column('size')) == (column('size')) && column('mmsgs_per_s_median') == column('mmsgs_per_s_median'))
unset table
n7 = |$s7|
rows = rows + n7
if (n7 == 0) { set print $s7; print 'NaN,NaN'; unset print }
if (rows == 0) {
	exit error 'no rows to plot: check the column names and the series filters against the CSV header'
}
set datafile nocolumnheaders

set terminal pngcairo size 900,560 noenhanced font "DejaVu Sans,10"
set output out
set linetype 1 lc rgb "#1f77b4" lw 1.5 pt 5 dt 1
set linetype 2 lc rgb "#d62728" lw 1.5 pt 6 dt 1
set linetype 3 lc rgb "#2ca02c" lw 1.5 pt 7 dt 1
set linetype 4 lc rgb "#9467bd" lw 1.5 pt 8 dt 1
set linetype 5 lc rgb "#ff7f0e" lw 1.5 pt 9 dt 1
set linetype 6 lc rgb "#17becf" lw 1.5 pt 10 dt 1
set linetype 7 lc rgb "#8c564b" lw 1.5 pt 11 dt 1
set linetype 8 lc rgb "#e377c2" lw 1.5 pt 12 dt 1
set linetype 9 lc rgb "#1f77b4" lw 1.5 pt 5 dt 2
set linetype 10 lc rgb "#d62728" lw 1.5 pt 6 dt 2
set linetype 11 lc rgb "#2ca02c" lw 1.5 pt 7 dt 2
set linetype 12 lc rgb "#9467bd" lw 1.5 pt 8 dt 2
set linetype 13 lc rgb "#ff7f0e" lw 1.5 pt 9 dt 2
set linetype 14 lc rgb "#17becf" lw 1.5 pt 10 dt 2
set linetype 15 lc rgb "#8c564b" lw 1.5 pt 11 dt 2
set linetype 16 lc rgb "#e377c2" lw 1.5 pt 12 dt 2
set tmargin 4.5
set label 901 'SPSC transports: one-way throughput vs message size (higher is better)' at screen 0.5, screen 0.965 center font ",12"
set label 902 'every message''s sequence and checksum verified; batch = messages per publish, write or lock' at screen 0.5, screen 0.925 center font ",9"
set xlabel 'message size [bytes]'
set ylabel 'million messages/s (median, bars min..max)'
set logscale x
set logscale y
set grid
set key outside right top
set border 3
set tics nomirror

plot $s0 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n0 ? 'thread, batch 1' : ''), \
     $s1 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n1 ? 'thread, batch 64' : ''), \
     $s2 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n2 ? 'process, batch 1' : ''), \
     $s3 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n3 ? 'process, batch 64' : ''), \
     $s4 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n4 ? 'mutex, batch 1' : ''), \
     $s5 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n5 ? 'mutex, batch 64' : ''), \
     $s6 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n6 ? 'pipe, batch 1' : ''), \
     $s7 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n7 ? 'pipe, batch 64' : '')
set output
