Route #1: 14 49 6 37 87
Route #2: 20 41 22 15
Route #3: 76 55 16 69
Route #4: 40 67 88 44
Route #5: 57 72 36 29 43 45 2 7
Route #6: 82 60 59
Route #7: 83 51 81
Route #8: 68 90 84 66
Route #9: 31 46 35
Route #10: 74 13 4
Route #11: 63 77 3
Route #12: 54 70 1
Route #13: 100 61 23
Route #14: 32 33 53 73 95 24
Route #15: 8 17
Route #16: 71 62 99 98 89
Route #17: 38 47 26 48 96 64 34
Route #18: 21 56 94 80
Route #19: 28 42 78 65 25
Route #20: 86 9 92
Route #21: 30 85 11 79
Route #22: 39 10 18
Route #23: 52 91 50
Route #24: 19 97 27
Route #25: 93 75
Route #26: 58 12 5
Cost 27591
