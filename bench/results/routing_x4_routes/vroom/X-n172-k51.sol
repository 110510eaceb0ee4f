Route #1: 87 96 89 98 93 94 142 99 105
Route #2: 157 47
Route #3: 7 108 158 164 119 37 107 62
Route #4: 103 155 149 114 110
Route #5: 128 78 81 29 8 64 31
Route #6: 50 163
Route #7: 22 152 92 70 131 112
Route #8: 1 140 19 82 72 45
Route #9: 121 127 122 91
Route #10: 160 46
Route #11: 61 132 161 11 53 68
Route #12: 139 26
Route #13: 83 21
Route #14: 116 138 48
Route #15: 67 171 13 69 60
Route #16: 126 58
Route #17: 80 101 147
Route #18: 65 106 16 32 18 51
Route #19: 24 52
Route #20: 86 156 134
Route #21: 123 144 120
Route #22: 168 165
Route #23: 159 146
Route #24: 85 12
Route #25: 17 23 10 5 9 39 56 79
Route #26: 41 84
Route #27: 136 42 104 170 154
Route #28: 57 20 33 135
Route #29: 74 109
Route #30: 124
Route #31: 54 14 4
Route #32: 38 71
Route #33: 88 141
Route #34: 25 28
Route #35: 151 73 66 30 44 63
Route #36: 148 162
Route #37: 2 118
Route #38: 97 75
Route #39: 145 102
Route #40: 117 90
Route #41: 36 125
Route #42: 27 133
Route #43: 113 95
Route #44: 34 111
Route #45: 49 115
Route #46: 6 43 77 169
Route #47: 137 150
Route #48: 100 153
Route #49: 40 59 15
Route #50: 167 35
Route #51: 143
Route #52: 55 76
Route #53: 3 166
Route #54: 129 130
Cost 46530
