Route #1: 77 41 119 105
Route #2: 142 94 89 98 158
Route #3: 67 61 152 141
Route #4: 21 83
Route #5: 104 73 30 52
Route #6: 171 11 70 103 87 131
Route #7: 122 127 164 99 121
Route #8: 47 157
Route #9: 159 146
Route #10: 22 112 32 85
Route #11: 102 88
Route #12: 68 53 145 168
Route #13: 126 58 106 18
Route #14: 163 50
Route #15: 97 75
Route #16: 46 160
Route #17: 123 144 120
Route #18: 132 62 92 114 149 155 7
Route #19: 139 165
Route #20: 38 24
Route #21: 57 76 54 5
Route #22: 109 2
Route #23: 148 71
Route #24: 108 37 107 93 96 110 161
Route #25: 151 59 74
Route #26: 26 55
Route #27: 23 8 64 79 66
Route #28: 118 117
Route #29: 125 36
Route #30: 14 4 10 9
Route #31: 95 90
Route #32: 28 25
Route #33: 27 162
Route #34: 82 78 81 39 31 56
Route #35: 12 84
Route #36: 34 133 16 91
Route #37: 49 113
Route #38: 60 69 48 51 65
Route #39: 170 1 128 140 19 45 72 44
Route #40: 115 40
Route #41: 3 20 33 29
Route #42: 153 111 6
Route #43: 137 100
Route #44: 167 166
Route #45: 43 15 63 42
Route #46: 124 154 17 135
Route #47: 147 101 80
Route #48: 129 35
Route #49: 134 156 136
Route #50: 116 138 13
Route #51: 143 150
Route #52: 169 86 130
Cost 50694
