# zcbench plot: sendfile-cpu
# Re-render (or restyle, then re-render) inside this folder:
#	gnuplot sendfile-cpu.gp
# Data: sendfile.csv (comma-separated, one header row). A series is the rows whose
# parameter columns hold the values in its "if" clause.
# zcbench passes a temporary output name as ARG1 (gnuplot -c).
out = (ARGC >= 1 && ARG1 ne "") ? ARG1 : 'sendfile-cpu.png'

set encoding utf8
set datafile separator ","
set datafile columnheaders

# Select each series' rows (a NaN inside a line would break it).
rows = 0
set table $s0 separator comma
plot 'sendfile.csv' using (column('size_mib')):(column('cpu_ms_per_gb_median')) with table if (strcol('method') eq 'read-send' && strcol('buffer') eq '65536' && strcol('cache') eq 'hot' && strcol('transport') eq 'unix' && (column('size_mib')) == (column('size_mib')) && column('cpu_ms_per_gb_median') == column('cpu_ms_per_gb_median'))
unset table
n0 = |$s0|
rows = rows + n0
if (n0 == 0) { set print $s0; print 'NaN,NaN'; unset print }
set table $s1 separator comma
plot 'sendfile.csv' using (column('size_mib')):(column('cpu_ms_per_gb_median')) with table if (strcol('method') eq 'sendfile' && strcol('buffer') eq '-' && strcol('cache') eq 'hot' && strcol('transport') eq 'unix' && (column('size_mib')) == (column('size_mib')) && column('cpu_ms_per_gb_median') == column('cpu_ms_per_gb_median'))
unset table
n1 = |$s1|
rows = rows + n1
if (n1 == 0) { set print $s1; print 'NaN,NaN'; unset print }
set table $s2 separator comma
plot 'sendfile.csv' using (column('size_mib')):(column('cpu_ms_per_gb_median')) with table if (strcol('method') eq 'splice' && strcol('buffer') eq '-' && strcol('cache') eq 'hot' && strcol('transport') eq 'unix' && (column('size_mib')) == (column('size_mib')) && column('cpu_ms_per_gb_median') == column('cpu_ms_per_gb_median'))
unset table
n2 = |$s2|
rows = rows + n2
if (n2 == 0) { set print $s2; print 'NaN,NaN'; unset print }
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
set label 901 'File to socket: CPU time of sender + receiver per GB (unix, cache hot; lower is better)' at screen 0.5, screen 0.965 center font ",12"
set label 902 'getrusage user + system of both processes; what each method costs the machine, not just the clock' at screen 0.5, screen 0.925 center font ",9"
set xlabel 'file size [MiB]'
set ylabel 'CPU ms per GB (median)'
set logscale x
set grid
set key outside right top
set border 3
set tics nomirror

plot $s0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 title (n0 ? 'read-send/64k' : ''), \
     $s1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 title (n1 ? 'sendfile' : ''), \
     $s2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.8 title (n2 ? 'splice' : '')
set output
