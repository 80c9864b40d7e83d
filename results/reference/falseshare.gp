# zcbench plot: falseshare
# Re-render (or restyle, then re-render) inside this folder:
#	gnuplot falseshare.gp
# Data: falseshare.csv (comma-separated, one header row). A series is the rows whose
# parameter columns hold the values in its "if" clause.
# zcbench passes a temporary output name as ARG1 (gnuplot -c).
out = (ARGC >= 1 && ARG1 ne "") ? ARG1 : 'falseshare.png'

set encoding utf8
set datafile separator ","
set datafile columnheaders

# Categories in axis order.
xpos(s) = s eq '8' ? 0 : s eq '64' ? 1 : s eq '128' ? 2 : -1

# Select each series' rows (a NaN inside a line would break it).
rows = 0
set table $s0 separator comma
plot 'falseshare.csv' using (xpos(strcol('stride'))):(column('ns_per_op_median')):(column('ns_per_op_min')):(column('ns_per_op_max')) with table if (strcol('op') eq 'atomic' && strcol('threads') eq '2' && strcol('place') eq 'l3' && (xpos(strcol('stride'))) >= 0 && column('ns_per_op_median') == column('ns_per_op_median'))
unset table
n0 = |$s0|
rows = rows + n0
if (n0 == 0) { set print $s0; print 'NaN,NaN'; unset print }
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
set label 901 'False sharing: time per increment vs distance between the threads'' counters (lower is better)' at screen 0.5, screen 0.965 center font ",12"
set label 902 '8 B: every counter in one 64 B cache line, which the cores pass back and forth; 128 B+: a line each; local: a register' at screen 0.5, screen 0.925 center font ",9"
set xlabel 'stride between counters [bytes]'
set ylabel 'ns per increment per thread (median, bars min..max)'
set xtics ('8' 0, '64' 1, '128' 2)
set xrange [-0.5:2.5]
set logscale y
set grid
set key outside right top
set border 3
set tics nomirror

# Extra commands.
set label 1 "l3, atomic, 2 threads: packed (8 B) is 4.6x slower than padded (128 B)" at graph 0.02, graph 0.95 front


plot $s0 using 1:2:3:4 with yerrorlines lw 1.5 pt 7 ps 0.8 title (n0 ? 'l3, atomic, 2 threads' : '')
set output
